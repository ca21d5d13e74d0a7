# shellcheck shell=bash
# Template rendering shared by the appliance and provisioning scripts. Placeholders look like @NAME@.

# render_template FILE NAME=VALUE... : print FILE with each @NAME@ replaced by VALUE (literally: bash
# pattern substitution with a quoted replacement, so no character in VALUE is special). Fails when a
# placeholder is left unfilled, so a template and its caller cannot drift apart silently.
render_template() {
  local file=$1 content pair name value left
  shift
  content=$(<"$file") || return 1
  for pair in "$@"; do
    name=${pair%%=*}
    value=${pair#*=}
    content=${content//"@${name}@"/"$value"}
  done
  left=$(grep -o '@[A-Z][A-Z0-9_]*@' <<<"$content" | sort -u | tr '\n' ' ') || true
  if [[ -n $left ]]; then
    echo "render_template: $file: no value for $left" >&2
    return 1
  fi
  printf '%s\n' "$content"
}

# check_nginx_value NAME VALUE : refuse characters that would change the meaning of an nginx directive.
check_nginx_value() {
  if [[ -z $2 || $2 =~ [\;\{\}\"\'\$\\#[:cntrl:]] ]]; then
    echo "invalid $1: '$2' (must be non-empty, without ; { } quotes \$ \\ # or control characters)" >&2
    return 1
  fi
}

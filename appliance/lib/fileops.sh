# shellcheck shell=bash
# Idempotent file operations for install.sh and fieldclass-network-apply. Every path is under $FC_ROOT
# (empty = the live system; install.sh --root sets it). Each function changes something only when it
# differs from what is wanted, and counts the changes in FC_CHANGES, so a second run reports 0.

FC_ROOT=${FC_ROOT:-}
FC_CHANGES=${FC_CHANGES:-0}

fc_note() { printf '  %s\n' "$*"; }

# fc_cli RELEASE_DIR ARGS... : that release's fieldclass CLI on the target's config and data: as the service
# user on a running box; on a target root ($FC_ROOT) directly, with its data dir.
fc_cli() {
  local rel=$1
  shift
  if [[ -z $FC_ROOT ]]; then
    (cd /var/lib/fieldclass && runuser -u fieldclass -- env FIELDCLASS_CONFIG=/etc/fieldclass/config.json \
      "$rel/node/bin/node" "$rel/app/bin/fieldclass.js" "$@")
  else
    FIELDCLASS_CONFIG=$FC_ROOT/etc/fieldclass/config.json "$rel/node/bin/node" "$rel/app/bin/fieldclass.js" "$@" \
      --data "$FC_ROOT/var/lib/fieldclass"
  fi
}
# fc_wait_healthy NODE_BIN : on a running box, wait up to 60 s for the service's /healthz (port from the
# config); says so and returns 0 when it answers, 1 otherwise.
fc_wait_healthy() {
  local port ok=0
  port=$(sed -n 's/.*"port": *\([0-9]*\).*/\1/p' /etc/fieldclass/config.json | head -n1)
  for _ in $(seq 1 60); do
    if "$1" -e "fetch('http://127.0.0.1:${port:-8080}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then ok=1; break; fi
    sleep 1
  done
  ((ok)) || return 1
  fc_note "healthy: http://127.0.0.1:${port:-8080}/healthz"
}

fc_changed() { FC_CHANGES=$((FC_CHANGES + 1)); fc_note "$*"; }

# Numeric id of a user or group in the target root (its /etc/passwd, /etc/group); empty when unknown.
fc_uid() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$FC_ROOT/etc/passwd" 2>/dev/null || true; }
fc_gid() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$FC_ROOT/etc/group" 2>/dev/null || true; }

# fc_owner PATH USER GROUP : set owner and group (by the target root's ids) when they exist there.
fc_owner() {
  local path=$FC_ROOT$1 uid gid cur
  uid=$(fc_uid "$2")
  gid=$(fc_gid "$3")
  if [[ -z $uid || -z $gid ]]; then
    [[ -n ${FC_WARNED_OWNER[$2:$3]:-} ]] || fc_note "(owner $2:$3 unknown in ${FC_ROOT:-/}, left as is)"
    FC_WARNED_OWNER[$2:$3]=1
    return 0
  fi
  cur=$(stat -c '%u:%g' "$path")
  if [[ $cur != "$uid:$gid" ]]; then
    chown -h "$uid:$gid" "$path"
    fc_changed "owner $2:$3 $1"
  fi
}
declare -gA FC_WARNED_OWNER=()

fc_mode() {
  local path=$FC_ROOT$1 cur
  cur=$(stat -c '%a' "$path")
  if [[ $cur != "${2#0}" ]]; then
    chmod "$2" "$path"
    fc_changed "mode $2 $1"
  fi
}

# fc_dir PATH MODE USER GROUP
fc_dir() {
  if [[ ! -d $FC_ROOT$1 ]]; then
    mkdir -p "$FC_ROOT$1"
    fc_changed "created $1/"
  fi
  fc_owner "$1" "$3" "$4"
  fc_mode "$1" "$2"
}

# fc_file_from SRC DEST MODE USER GROUP : install SRC's content as DEST (atomically) when it differs.
fc_file_from() {
  local src=$1 dest=$FC_ROOT$2 tmp
  if [[ ! -f $dest ]] || ! cmp -s "$src" "$dest"; then
    mkdir -p "$(dirname "$dest")"
    tmp=$(mktemp "$dest.XXXXXX")
    cat "$src" >"$tmp"
    chmod "$3" "$tmp"
    mv -f "$tmp" "$dest"
    fc_changed "wrote $2"
  fi
  fc_owner "$2" "$4" "$5"
  fc_mode "$2" "$3"
}

# fc_file DEST MODE USER GROUP <<<content : same, with the content on stdin.
fc_file() {
  local tmp rc=0
  tmp=$(mktemp)
  cat >"$tmp"
  fc_file_from "$tmp" "$@" || rc=$?
  rm -f "$tmp"
  return "$rc"
}

# fc_symlink TARGET LINK : LINK points to TARGET (a path as seen on the target system).
fc_symlink() {
  local link=$FC_ROOT$2
  if [[ ! -L $link || $(readlink "$link") != "$1" ]]; then
    mkdir -p "$(dirname "$link")"
    ln -sfn "$1" "$link.fctmp"
    mv -Tf "$link.fctmp" "$link"
    fc_changed "link $2 -> $1"
  fi
}

fc_remove() {
  if [[ -e $FC_ROOT$1 || -L $FC_ROOT$1 ]]; then
    rm -f "$FC_ROOT$1"
    fc_changed "removed $1"
  fi
}

# fc_render DEST MODE USER GROUP TEMPLATE NAME=VALUE... : install a rendered template (see template.sh).
fc_render() {
  local dest=$1 mode=$2 user=$3 group=$4 template=$5 tmp rc=0
  shift 5
  tmp=$(mktemp)
  render_template "$template" "$@" >"$tmp" && fc_file_from "$tmp" "$dest" "$mode" "$user" "$group" || rc=$?
  rm -f "$tmp"
  return "$rc"
}

# fc_output DEST MODE USER GROUP COMMAND... : install what COMMAND prints.
fc_output() {
  local dest=$1 mode=$2 user=$3 group=$4 tmp rc=0
  shift 4
  tmp=$(mktemp)
  "$@" >"$tmp" && fc_file_from "$tmp" "$dest" "$mode" "$user" "$group" || rc=$?
  rm -f "$tmp"
  return "$rc"
}

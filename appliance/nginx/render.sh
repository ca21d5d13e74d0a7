#!/usr/bin/env bash
# Render the fieldclass nginx site (and optionally a self-contained nginx.conf around it).
#
#   render.sh site [options]                 print the site config (install.sh puts it in /etc/nginx/sites-available)
#   render.sh standalone --prefix DIR [...]  write DIR/nginx.conf + DIR/fieldclass-site.conf and the temp dirs,
#                                            then print the command that runs nginx on them (no root needed
#                                            unless --listen is below 1024)
# Options (defaults are the box's):
#   --listen ADDR           80
#   --server-names "A B"    "class.lan"   (first = canonical address every other host is redirected to)
#   --upstream HOST:PORT    127.0.0.1:8080
#   --pkg-names "A"         the package site's names (default: the first server name with "pkg" after its
#                           first label: class.lan -> classpkg.lan)
#   --pkg-upstream H:PORT   127.0.0.1:8081   (Node's package listener, config scorm.port)
#   --cache-dir DIR         /var/lib/fieldclass/content-cache
#   --portal-mode MODE      online | portal   (online)
#   --workers N             auto   (standalone only)
#   --mime-types FILE       /etc/nginx/mime.types   (standalone only)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/template.sh
. "$here/../lib/template.sh"

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

mode=${1:-}
[[ $mode == site || $mode == standalone ]] || usage
shift
listen=80 names=class.lan upstream=127.0.0.1:8080 cache_dir=/var/lib/fieldclass/content-cache
pkg_names='' pkg_upstream=127.0.0.1:8081
portal=online workers=auto mime=/etc/nginx/mime.types prefix=
while (($#)); do
  [[ $# -ge 2 ]] || { echo "render.sh: $1 needs a value" >&2; exit 2; }
  case $1 in
    --listen) listen=$2 ;;
    --server-names) names=$2 ;;
    --upstream) upstream=$2 ;;
    --pkg-names) pkg_names=$2 ;;
    --pkg-upstream) pkg_upstream=$2 ;;
    --cache-dir) cache_dir=$2 ;;
    --portal-mode) portal=$2 ;;
    --workers) workers=$2 ;;
    --mime-types) mime=$2 ;;
    --prefix) prefix=$2 ;;
    *) echo "render.sh: unknown option $1" >&2; usage ;;
  esac
  shift 2
done

[[ $portal == online || $portal == portal ]] || { echo "invalid --portal-mode: '$portal' (online or portal)" >&2; exit 2; }
upstream_re='^[][A-Za-z0-9.:_-]+:[0-9]{1,5}$'
[[ $upstream =~ $upstream_re ]] || { echo "invalid --upstream: '$upstream' (HOST:PORT)" >&2; exit 2; }
[[ $pkg_upstream =~ $upstream_re ]] || { echo "invalid --pkg-upstream: '$pkg_upstream' (HOST:PORT)" >&2; exit 2; }
[[ $workers =~ ^([0-9]+|auto)$ ]] || { echo "invalid --workers: '$workers'" >&2; exit 2; }
[[ $cache_dir == /* ]] || { echo "invalid --cache-dir: '$cache_dir' (must be an absolute path)" >&2; exit 2; }
for v in listen names cache_dir mime; do check_nginx_value "--${v//_/-}" "${!v}" || exit 2; done
canonical=${names%% *}
# class.lan -> classpkg.lan; a name without a dot gets "pkg" appended.
if [[ -z $pkg_names ]]; then
  if [[ $canonical == *.* ]]; then pkg_names="${canonical%%.*}pkg.${canonical#*.}"; else pkg_names="${canonical}pkg"; fi
fi
check_nginx_value --pkg-names "$pkg_names" || exit 2

site() {
  render_template "$here/fieldclass-site.conf.template" \
    LISTEN="$listen" SERVER_NAMES="$names" CANONICAL="$canonical" UPSTREAM="$upstream" \
    CACHE_DIR="$cache_dir" PORTAL_MODE="$portal" PKG_NAMES="$pkg_names" PKG_UPSTREAM="$pkg_upstream"
}

if [[ $mode == site ]]; then
  site
  exit 0
fi

[[ -n $prefix ]] || { echo "render.sh standalone: --prefix DIR is required" >&2; exit 2; }
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
check_nginx_value --prefix "$prefix" || exit 2
mkdir -p "$prefix"/{client_body,proxy,fastcgi,uwsgi,scgi}
site >"$prefix/fieldclass-site.conf"
render_template "$here/nginx-standalone.conf.template" PREFIX="$prefix" WORKERS="$workers" MIME_TYPES="$mime" \
  >"$prefix/nginx.conf"
echo "nginx -p $prefix -c $prefix/nginx.conf -g 'daemon off;'"

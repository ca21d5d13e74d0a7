#!/usr/bin/env bash
# fieldclass: turn a fresh Raspberry Pi OS Lite 64-bit / Debian 12 or 13 machine (arm64 or amd64) into a
# classroom appliance, or upgrade one. Idempotent: a second run with the same bundle changes nothing.
#
#   sudo ./install.sh [options]              from an unpacked offline installer (build-offline-installer.sh)
#   sudo provisioning/install.sh --bundle fieldclass-0.1.0-linux-arm64.tar.gz [options]
#
# Options:
#   --bundle PATH            offline installer tarball or unpacked directory (default: the directory holding
#                            this script, when it is an unpacked installer)
#   --root DIR               install into the target root DIR (an SD card's root mounted on a workstation, a
#                            debootstrap tree, a test dir) without touching the running system: no apt, no
#                            systemctl start, no network changes; owners set from DIR/etc/passwd when it exists
#   --name TEXT              appliance name (config applianceName), e.g. "Nakuru police training room"
#   --location TEXT          location (config location)
#   --hq-url URL             HQ address for uploads when a connection exists (config hq.url)
#   --hq-key FILE            an HQ content public key to trust (config content.trustedKeys); repeatable
#   --ssid NAME              Wi-Fi name (default: fieldclass-XXXX)
#   --wifi-passphrase TEXT   WPA2 passphrase, 8 to 63 characters (default: a random one, printed at the end)
#   --country CC             Wi-Fi country code, e.g. KE (sets the legal channels; default 00 = world)
#   --hostname NAME          the address trainees type (default class.lan)
#   --eth-mode client|shared Ethernet: DHCP client (default) or serve DHCP/DNS to a separate access point
#   --no-wifi                Ethernet only, no access point
#   --portal-mode online|portal   answer phones' captive-portal checks as online (default) or pop up the site
#   --time-zone ZONE         the class's time zone, an IANA name such as Africa/Nairobi (default: the system's
#                            zone on a first install, else UTC; an upgrade keeps the box's zone unless given)
#   --no-sample-courses      do not install the sample courses on first start
#   --skip-apt               do not install Debian packages (they must already be there)
#   --no-start               configure everything but do not (re)start services
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
umask 022
export LC_ALL=C

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
PROG=install.sh
die() { echo "$PROG: error: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }
usage() { sed -n '2,33p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

bundle='' root='' name='' location='' hq_url='' ssid='' wifi_pass='' country='' hostname_='' time_zone=''
eth_mode='' no_wifi=0 portal_mode='' no_samples=0 skip_apt=0 no_start=0
hq_keys=()
while (($#)); do
  case $1 in
    -h | --help) usage 0 ;;
    --no-wifi) no_wifi=1; shift; continue ;;
    --no-sample-courses) no_samples=1; shift; continue ;;
    --skip-apt) skip_apt=1; shift; continue ;;
    --no-start) no_start=1; shift; continue ;;
  esac
  [[ $# -ge 2 ]] || die "$1 needs a value (see --help)"
  case $1 in
    --bundle) bundle=$2 ;;
    --root) root=$2 ;;
    --name) name=$2 ;;
    --location) location=$2 ;;
    --hq-url) hq_url=$2 ;;
    --hq-key) hq_keys+=("$(readlink -f "$2")") ;;
    --ssid) ssid=$2 ;;
    --wifi-passphrase) wifi_pass=$2 ;;
    --country) country=$2 ;;
    --hostname) hostname_=$2 ;;
    --eth-mode) eth_mode=$2 ;;
    --portal-mode) portal_mode=$2 ;;
    --time-zone) time_zone=$2 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift 2
done

# Check the settings before anything is changed.
[[ -z $wifi_pass ]] || ((${#wifi_pass} >= 8 && ${#wifi_pass} <= 63)) || die "--wifi-passphrase: PASSPHRASE must have 8 to 63 characters"
[[ -z $ssid ]] || ((${#ssid} >= 1 && ${#ssid} <= 32)) || die "--ssid: must have 1 to 32 characters"
[[ -z $country || $country =~ ^[A-Za-z]{2}$ ]] || die "--country: a two-letter country code such as KE or FR"
[[ -z $eth_mode || $eth_mode =~ ^(client|shared)$ ]] || die "--eth-mode: client or shared"
[[ -z $portal_mode || $portal_mode =~ ^(online|portal)$ ]] || die "--portal-mode: online or portal"
[[ -z $time_zone || $time_zone =~ ^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$ ]] || die "--time-zone: an IANA name such as Africa/Nairobi or UTC"
[[ -z $hq_url || $hq_url =~ ^https?://[^[:space:]\"]+$ ]] || die "--hq-url: an http(s) URL"
for k in "${hq_keys[@]}"; do [[ -f $k ]] || die "--hq-key $k: no such file"; done
[[ $(id -u) -eq 0 ]] || die "run as root (sudo), it creates a system user and installs system files"
if [[ -n $root ]]; then
  [[ -d $root ]] || die "--root $root: no such directory"
  root=$(cd "$root" && pwd)
  [[ $root != / ]] || root=''
fi
live=1
[[ -z $root ]] || live=0
export FC_ROOT=$root

# --- the bundle -------------------------------------------------------------------------------------------
tmpdirs=()
cleanup() { ((${#tmpdirs[@]})) && rm -rf "${tmpdirs[@]}"; return 0; }
trap cleanup EXIT
if [[ -z $bundle ]]; then
  [[ -f $here/BUILDINFO ]] || die "no bundle: run this from an unpacked offline installer, or pass --bundle (build one with provisioning/build-offline-installer.sh)"
  bundle=$here
fi
if [[ -f $bundle ]]; then
  t=$(mktemp -d)
  tmpdirs+=("$t")
  tar -xzf "$bundle" -C "$t" || die "$bundle: cannot unpack"
  inner=("$t"/*/BUILDINFO)
  [[ -f ${inner[0]} ]] || die "$bundle: not a fieldclass offline installer (no BUILDINFO)"
  bundle=$(dirname "${inner[0]}")
fi
[[ -f $bundle/BUILDINFO && -x $bundle/node/bin/node && -f $bundle/app/bin/fieldclass.js ]] ||
  die "$bundle: not a fieldclass offline installer (needs BUILDINFO, node/bin/node, app/bin/fieldclass.js)"
buildinfo() { sed -n "s/^$1=//p" "$bundle/BUILDINFO" | head -n1; }
VERSION=$(buildinfo VERSION) ARCH=$(buildinfo ARCH) BUILD_ID=$(buildinfo BUILD_ID) NODE_VERSION=$(buildinfo NODE_VERSION)
[[ $VERSION =~ ^[0-9A-Za-z.+-]+$ && $BUILD_ID =~ ^[0-9a-f]{12}$ && $ARCH =~ ^(amd64|arm64)$ ]] || die "$bundle/BUILDINFO is incomplete"
RELEASE=$VERSION-$BUILD_ID
appliance_src=$bundle/app/appliance
# shellcheck source=../appliance/lib/template.sh
. "$appliance_src/lib/template.sh"
# shellcheck source=../appliance/lib/fileops.sh
. "$appliance_src/lib/fileops.sh"

echo "fieldclass $VERSION ($ARCH, Node $NODE_VERSION, build $BUILD_ID) -> ${root:-/}"

# --- the target system ------------------------------------------------------------------------------------
step "checking the system"
if [[ -f $root/etc/os-release ]]; then
  os_id=$(sed -n 's/^ID=//p' "$root/etc/os-release" | tr -d '"')
  os_code=$(sed -n 's/^VERSION_CODENAME=//p' "$root/etc/os-release" | tr -d '"')
  case "$os_id/$os_code" in
    debian/bookworm | debian/trixie | raspbian/bookworm | raspbian/trixie) fc_note "system: $os_id $os_code" ;;
    *) fc_note "warning: $os_id $os_code is not one of Debian / Raspberry Pi OS bookworm or trixie; continuing" ;;
  esac
else
  fc_note "no $root/etc/os-release: not checking the distribution"
fi
if ((live)); then
  sys_arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
  [[ $sys_arch == "$ARCH" || ($sys_arch == x86_64 && $ARCH == amd64) || ($sys_arch == aarch64 && $ARCH == arm64) ]] ||
    die "this installer is for $ARCH but this machine is $sys_arch: build one with --arch $sys_arch"
fi

# --- Debian packages --------------------------------------------------------------------------------------
# nginx (port 80, content cache), NetworkManager + dnsmasq-base (access point, DHCP, DNS), polkitd (clock
# rule), fake-hwclock (time across reboots), exfat/ntfs for USB sticks, util-linux (runuser, mount).
packages=(nginx network-manager dnsmasq-base polkitd fake-hwclock ntfs-3g exfatprogs ca-certificates)
if ((live && !skip_apt)); then
  step "Debian packages"
  missing=()
  for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  if ((${#missing[@]})); then
    debs=("$bundle"/debs/*.deb)
    if [[ -f ${debs[0]} ]]; then
      fc_note "installing from the bundle: ${missing[*]}"
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-download "${debs[@]}" ||
        die "could not install the bundled packages"
    else
      fc_note "installing: ${missing[*]}"
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" ||
        { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } ||
        die "could not install ${missing[*]}: connect the box to the internet once, or build the installer with --debs"
    fi
    FC_CHANGES=$((FC_CHANGES + 1))
  else
    fc_note "all present"
  fi
fi

# --- user and directories ---------------------------------------------------------------------------------
step "user and directories"
if [[ -z $(fc_uid fieldclass) ]]; then
  if ((live)); then
    useradd --system --user-group --home-dir /var/lib/fieldclass --no-create-home --shell /usr/sbin/nologin \
      --comment "fieldclass appliance" fieldclass
    fc_changed "created system user fieldclass"
  elif [[ -f $root/etc/passwd && -f $root/etc/group ]]; then
    useradd --prefix "$root" --system --user-group --home-dir /var/lib/fieldclass --no-create-home \
      --shell /usr/sbin/nologin --comment "fieldclass appliance" fieldclass
    fc_changed "created system user fieldclass in $root/etc/passwd"
  else
    fc_note "no $root/etc/passwd: not creating the fieldclass user (files stay owned by root)"
  fi
fi
# nginx reads the content cache through the data dir: traverse-only (0711); the databases are 0640 to the
# fieldclass group (UMask=0027 in the unit), which has no other member.
www="www-data"
[[ -n $(fc_gid www-data) ]] || www=fieldclass
fc_dir /opt/fieldclass 755 root root
fc_dir /opt/fieldclass/releases 755 root root
fc_dir /etc/fieldclass 750 root fieldclass
fc_dir /var/lib/fieldclass 711 fieldclass fieldclass
fc_dir /var/lib/fieldclass/outbox 750 fieldclass fieldclass
fc_dir /var/lib/fieldclass/upgrade-backups 700 root root
fc_dir /var/lib/fieldclass/content-cache 2750 fieldclass "$www"
fc_dir /media/fieldclass 755 root root

# --- the release ------------------------------------------------------------------------------------------
step "release $RELEASE"
rel=/opt/fieldclass/releases/$RELEASE
if [[ -f $root$rel/BUILDINFO ]] && cmp -s "$bundle/BUILDINFO" "$root$rel/BUILDINFO"; then
  fc_note "already installed"
else
  rm -rf "$root$rel.partial"
  mkdir -p "$root$rel.partial"
  cp -a "$bundle/node" "$bundle/app" "$root$rel.partial/"
  ln -s app/appliance "$root$rel.partial/appliance"
  # BUILDINFO last: a release dir with it is complete.
  cp "$bundle/BUILDINFO" "$root$rel.partial/BUILDINFO"
  chown -R 0:0 "$root$rel.partial"
  chmod -R go-w "$root$rel.partial"
  rm -rf "$root$rel"
  mv "$root$rel.partial" "$root$rel"
  fc_changed "installed $rel"
fi
node_bin=$root$rel/node/bin/node
node_runs=1
"$node_bin" -v >/dev/null 2>&1 || node_runs=0
((node_runs)) || fc_note "the $ARCH Node runtime cannot run here (another architecture): app steps run at first boot"

# Run the fieldclass CLI of the new release against the target's config and data.
app() { fc_cli "$root$rel" "$@"; }
# has_command GROUP [SUB]: whether this release's CLI has the command (commander lists it in the help).
has_command() {
  local help
  help=$(FIELDCLASS_CONFIG=/nonexistent "$node_bin" "$root$rel/app/bin/fieldclass.js" --help 2>/dev/null) || return 1
  grep -qE "^ +$1( |\$)" <<<"$help" || return 1
  [[ -z ${2:-} ]] && return 0
  help=$(FIELDCLASS_CONFIG=/nonexistent "$node_bin" "$root$rel/app/bin/fieldclass.js" "$1" --help 2>/dev/null) || return 1
  grep -qE "^ +$2( |\$)" <<<"$help"
}

# --- config -----------------------------------------------------------------------------------------------
step "configuration"
netconf=/etc/fieldclass/network.conf
if [[ ! -f $root$netconf ]]; then
  # (finite input: tr | head on /dev/urandom would die of SIGPIPE under pipefail)
  suffix=$(head -c 600 /dev/urandom | tr -dc 'A-Z0-9' | cut -c1-4)
  pass=$(head -c 600 /dev/urandom | tr -dc 'abcdefghjkmnpqrstuvwxyz23456789' | cut -c1-12)
  t=$(mktemp)
  sed -e "s/^SSID=.*/SSID=fieldclass-$suffix/" -e "s/^PASSPHRASE=.*/PASSPHRASE=$pass/" \
    "$appliance_src/config/network.conf.default" >"$t"
  fc_file_from "$t" "$netconf" 600 root root
  rm -f "$t"
fi
set_net() { # set_net NAME VALUE : change one line of network.conf, keeping the rest
  local cur t
  cur=$(sed -n "s/^$1=//p" "$root$netconf" | head -n1)
  [[ $cur == "$2" ]] && return 0
  [[ $2 != *$'\n'* ]] || die "$1: no newlines"
  t=$(mktemp)
  awk -v k="$1" -v v="$2" 'BEGIN { done = 0 } $0 ~ "^" k "=" { print k "=" v; done = 1; next } { print } END { if (!done) print k "=" v }' \
    "$root$netconf" >"$t"
  fc_file_from "$t" "$netconf" 600 root root
  rm -f "$t"
}
[[ -z $ssid ]] || set_net SSID "$ssid"
[[ -z $wifi_pass ]] || set_net PASSPHRASE "$wifi_pass"
[[ -z $country ]] || set_net COUNTRY "$(tr '[:lower:]' '[:upper:]' <<<"$country")"
[[ -z $hostname_ ]] || set_net HOSTNAME "$hostname_"
[[ -z $eth_mode ]] || set_net ETH_MODE "$eth_mode"
[[ -z $portal_mode ]] || set_net PORTAL_MODE "$portal_mode"
((no_wifi == 0)) || set_net WIFI off
site_host=$(sed -n 's/^HOSTNAME=//p' "$root$netconf" | head -n1)

sets=(--set "allowedOrigins=[\"http://${site_host:-class.lan}\"]")
# SCORM packages on a site of their own (appliance/nginx: class.lan -> classpkg.lan; the box's DNS answers
# every name): package script can then neither read nor set the app's cookies.
pkg_host=${site_host:-class.lan}
if [[ $pkg_host == *.* ]]; then pkg_host="${pkg_host%%.*}pkg.${pkg_host#*.}"; else pkg_host="${pkg_host}pkg"; fi
sets+=(--set "scorm.publicOrigin=\"http://$pkg_host\"")
[[ -z $name ]] || sets+=(--set "applianceName=$("$node_bin" -p 'JSON.stringify(process.argv[1])' "$name" 2>/dev/null || printf '"%s"' "$name")")
[[ -z $location ]] || sets+=(--set "location=$("$node_bin" -p 'JSON.stringify(process.argv[1])' "$location" 2>/dev/null || printf '"%s"' "$location")")
[[ -z $hq_url ]] || sets+=(--set "hq.url=\"$hq_url\"")
((no_samples == 0)) || sets+=(--set "installSampleCourses=false")
# "Set clock from browser": the helper directly, not through sudo (NoNewPrivileges; polkit authorizes it).
if grep -q setClockCommand "$root$rel/app/dist/core/config.js" 2>/dev/null; then
  sets+=(--set "admin.setClockCommand=[\"/opt/fieldclass/current/appliance/bin/fieldclass-set-clock\"]")
fi
for k in "${hq_keys[@]}"; do sets+=(--trusted-key-file "$k"); done
if ((node_runs)); then
  r=$("$node_bin" "$root$rel/app/provisioning/lib/config-merge.mjs" --file "$root/etc/fieldclass/config.json" \
    --app "$root$rel/app" "${sets[@]}") || die "the configuration was not changed"
  [[ $r == unchanged ]] || fc_changed "wrote /etc/fieldclass/config.json"
  fc_owner /etc/fieldclass/config.json root fieldclass
  fc_mode /etc/fieldclass/config.json 640
else
  fc_note "config.json: written at first boot by the same script (Node cannot run here)"
fi

# --- system files from appliance/ -------------------------------------------------------------------------
step "services, USB, clock, network"
A=/opt/fieldclass/current/appliance
fc_file_from "$appliance_src/systemd/fieldclass.service" /etc/systemd/system/fieldclass.service 644 root root
fc_file_from "$appliance_src/systemd/fieldclass-usb@.service" /etc/systemd/system/fieldclass-usb@.service 644 root root
for u in fieldclass-content-cache.service fieldclass-content-cache.timer; do
  fc_file_from "$appliance_src/systemd/$u" "/etc/systemd/system/$u" 644 root root
done
fc_file_from "$appliance_src/udev/90-fieldclass-usb.rules" /etc/udev/rules.d/90-fieldclass-usb.rules 644 root root
fc_file_from "$appliance_src/polkit/50-fieldclass-clock.rules" /etc/polkit-1/rules.d/50-fieldclass-clock.rules 644 root root
fc_symlink "$A/bin/fieldclass" /usr/local/bin/fieldclass
fc_symlink "$A/bin/fieldclass-network-apply" /usr/local/sbin/fieldclass-network-apply
net_args=(--no-reload)
((live)) || net_args=(--root "$root")
out=$("$appliance_src/bin/fieldclass-network-apply" "${net_args[@]}") || die "network settings: fix $netconf"
printf '%s\n' "$out"
n=$(grep -c '^  \(wrote\|link\|removed\|owner\|mode\|created\)' <<<"$out" || true)
FC_CHANGES=$((FC_CHANGES + n))

# --- upgrade: back up the databases, migrate, switch ------------------------------------------------------
step "databases"
prev=''
[[ -L $root/opt/fieldclass/current ]] && prev=$(basename "$(readlink "$root/opt/fieldclass/current")")
if [[ $prev != "$RELEASE" ]]; then
  if [[ -n $prev ]] && ((live)) && systemctl is-active --quiet fieldclass; then
    systemctl stop fieldclass
    fc_note "stopped fieldclass $prev"
  fi
  dbs=()
  for f in "$root"/var/lib/fieldclass/*.db; do [[ -f $f ]] && dbs+=("$f"); done
  backup=''
  if ((${#dbs[@]})); then
    backup=/var/lib/fieldclass/upgrade-backups/$(date -u +%Y%m%dT%H%M%SZ)-from-${prev:-unknown}
    mkdir -p "$root$backup"
    for f in "${dbs[@]}"; do
      for x in "$f" "$f-wal" "$f-shm"; do [[ -f $x ]] && cp -p "$x" "$root$backup/"; done
    done
    sync
    fc_changed "backed up ${#dbs[@]} database(s) to $backup"
    # keep the last five upgrade backups
    mapfile -t old < <(find "$root/var/lib/fieldclass/upgrade-backups" -mindepth 1 -maxdepth 1 -type d | sort | head -n -5)
    ((${#old[@]} == 0)) || rm -rf "${old[@]}"
  fi
  if ((node_runs)); then
    if ! app migrate >/dev/null; then
      if [[ -n $backup ]]; then
        # The failed run's -wal/-shm go first: left beside the restored database, SQLite would replay the
        # failed run's frames into it. The backup holds each database with its own -wal when it had one.
        for f in "${dbs[@]}"; do rm -f "$f-wal" "$f-shm"; done
        cp -p "$root$backup"/* "$root/var/lib/fieldclass/"
        fc_note "migration failed: databases restored from $backup"
      fi
      if ((live && ${#prev})); then systemctl start fieldclass || true; fi
      die "migrating the databases with $RELEASE failed; ${prev:+still running $prev}"
    fi
    fc_changed "databases migrated by $RELEASE"
  fi
  [[ -z $prev ]] || fc_symlink "releases/$prev" /opt/fieldclass/previous
  fc_symlink "releases/$RELEASE" /opt/fieldclass/current
else
  fc_note "release unchanged: nothing to migrate"
fi
# Keep the current and previous releases; older ones go.
for d in "$root"/opt/fieldclass/releases/*/; do
  b=$(basename "$d")
  [[ $b == "$RELEASE" || $b == "$(basename "$(readlink "$root/opt/fieldclass/previous" 2>/dev/null || echo none)")" ]] && continue
  rm -rf "$d"
  fc_changed "removed old release $b"
done

# --- identity and content cache ---------------------------------------------------------------------------
step "appliance identity"
if ((node_runs)); then
  if has_command identity init; then
    if app identity show --json >/dev/null 2>&1; then
      fc_note "identity already made"
    else
      app identity init >/dev/null || die "fieldclass identity init failed"
      fc_changed "identity made"
    fi
  else
    fc_note "skipped: this version has no 'fieldclass identity init' (the box makes its identity at first start)"
  fi
  if has_command identity request; then
    t=$(mktemp)
    enrol=$root/var/lib/fieldclass/enrol-request.json
    if app identity request >"$t"; then
      # The request carries the time it was made: rewrite it only when something else changed.
      if [[ ! -f $enrol ]] || ! cmp -s <(grep -v '"createdAt"' "$t") <(grep -v '"createdAt"' "$enrol"); then
        fc_file_from "$t" /var/lib/fieldclass/enrol-request.json 640 fieldclass fieldclass
      fi
    else
      fc_note "warning: fieldclass identity request failed"
    fi
    rm -f "$t"
  fi
  if has_command content cache; then
    app content cache --out "$root/var/lib/fieldclass/content-cache" >/dev/null || fc_note "warning: content cache not built"
  else
    fc_note "skipped content cache: this version has no 'fieldclass content cache' (Node serves /c/ itself)"
  fi
fi
# --- time zone --------------------------------------------------------------------------------------------
# The box's one time-zone setting (kept in its records, shown and changed on the admin's Schedule page), so
# the schedules and the dates are the class's from the start: --time-zone, else the system's zone (read,
# never changed), else UTC. Only --time-zone replaces a zone already set: an upgrade keeps the coordinator's.
system_zone() {
  local z=''
  if ((live)) && command -v timedatectl >/dev/null; then z=$(timedatectl show -p Timezone --value 2>/dev/null || true); fi
  if [[ -z $z && -s $root/etc/timezone ]]; then z=$(head -n1 "$root/etc/timezone" | tr -d '[:space:]'); fi
  if [[ -z $z && -L $root/etc/localtime ]]; then
    z=$(readlink "$root/etc/localtime")
    [[ $z == */zoneinfo/* ]] && z=${z#*/zoneinfo/} || z=''
  fi
  echo "${z:-UTC}"
}
step "time zone"
if ((node_runs)) && has_command admin time-zone; then
  tz_now=$(app admin time-zone --json) || die "fieldclass admin time-zone failed"
  tz_current=$(sed -n 's/.*"timeZone":"\([^"]*\)".*/\1/p' <<<"$tz_now")
  if [[ -n $time_zone ]]; then
    tz_set=$(app admin time-zone "$time_zone" 2>&1) || die "--time-zone $time_zone: $tz_set"
    [[ $tz_now == *'"chosen":true'* && $tz_set == "$tz_current" ]] || fc_changed "time zone $tz_set (--time-zone)"
  elif [[ $tz_now == *'"chosen":true'* ]]; then
    fc_note "time zone $tz_current (kept; --time-zone changes it)"
  else
    tz=$(system_zone)
    if ! tz_set=$(app admin time-zone "$tz" 2>&1); then
      fc_note "the system's time zone \"$tz\" is not one the box knows: UTC (the coordinator sets it at first-run setup)"
      tz_set=$(app admin time-zone UTC) || die "fieldclass admin time-zone UTC failed"
    fi
    fc_changed "time zone $tz_set (from the system)"
  fi
else
  fc_note "skipped: the time zone is asked at first-run setup${time_zone:+ (--time-zone $time_zone not written)}"
fi

if [[ -n $(fc_uid fieldclass) ]] && ((!live)); then
  # Commands ran as root here: hand the files they made to the service user, private to it.
  find "$root/var/lib/fieldclass" -maxdepth 1 -type f -perm /o=rwx -exec chmod o-rwx {} +
  while IFS= read -r -d '' f; do
    rel_path=${f#"$root"}
    fc_owner "$rel_path" fieldclass fieldclass
  done < <(find "$root/var/lib/fieldclass" -mindepth 1 \( -path "$root/var/lib/fieldclass/upgrade-backups" -o -path "$root/var/lib/fieldclass/content-cache" \) -prune -o -print0)
fi

# --- enable and start -------------------------------------------------------------------------------------
step "enabling services"
units=(fieldclass.service nginx.service fieldclass-content-cache.timer)
if ((live)); then
  systemctl daemon-reload
  for u in "${units[@]}" fake-hwclock.service; do
    systemctl is-enabled --quiet "$u" 2>/dev/null || { systemctl enable --quiet "$u" 2>/dev/null && fc_changed "enabled $u"; } || true
  done
  udevadm control --reload || true
else
  fc_symlink /etc/systemd/system/fieldclass.service /etc/systemd/system/multi-user.target.wants/fieldclass.service
  fc_symlink /etc/systemd/system/fieldclass-content-cache.timer /etc/systemd/system/timers.target.wants/fieldclass-content-cache.timer
  [[ -f $root/lib/systemd/system/nginx.service || -f $root/usr/lib/systemd/system/nginx.service ]] &&
    fc_symlink /lib/systemd/system/nginx.service /etc/systemd/system/multi-user.target.wants/nginx.service
fi

if ((live && !no_start)); then
  if ((FC_CHANGES > 0)) || ! systemctl is-active --quiet fieldclass; then
    systemctl restart fieldclass
    systemctl start fieldclass-content-cache.timer || true
    "$appliance_src/bin/fieldclass-network-apply" >/dev/null || true
    nginx -t -q && systemctl restart nginx
    if command -v fake-hwclock >/dev/null; then fake-hwclock save || true; fi
  fi
  step "waiting for the service"
  fc_wait_healthy "$node_bin" || die "the service did not answer /healthz within 60 s: journalctl -u fieldclass -n 50"
fi

# --- what the technician needs ----------------------------------------------------------------------------
step "done: $FC_CHANGES changes"
previous=$(basename "$(readlink "$root/opt/fieldclass/previous" 2>/dev/null || true)")
echo "release: /opt/fieldclass/current -> releases/$RELEASE${previous:+ (previous: $previous, the way back: rollback.sh)}"
if [[ -f $root$netconf ]]; then
  echo "Wi-Fi: \"$(sed -n 's/^SSID=//p' "$root$netconf")\"  passphrase: $(sed -n 's/^PASSPHRASE=//p' "$root$netconf")  site: http://${site_host:-class.lan}/"
fi
if ((node_runs)); then
  if [[ -f $root/var/lib/fieldclass/enrol-request.json ]]; then
    echo
    echo "Enrolment request for HQ (saved in /var/lib/fieldclass/enrol-request.json): fieldclass hq appliance enrol <file>"
    cat "$root/var/lib/fieldclass/enrol-request.json"
  else
    echo "(enrolment request: this version has no 'fieldclass identity request')"
  fi
  if has_command admin setup-code; then
    # The code stays the same until the first coordinator is created (or `setup-code --new`); once a
    # coordinator exists the command says so and prints nothing on stdout.
    code=$(app admin setup-code 2>/dev/null || true)
    if [[ -n $code ]]; then
      echo
      echo "First-run setup code for http://${site_host:-class.lan}/admin : $code"
    fi
  else
    echo "(setup code: this version has no 'fieldclass admin setup-code'; it is printed in the service log)"
  fi
fi

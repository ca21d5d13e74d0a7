#!/usr/bin/env bash
# The way back after an upgrade: run the previous release again, on the databases as they were just before
# the upgrade (migrations only go forward, so the older version cannot read upgraded databases).
# Records written since the upgrade are set aside (not deleted) in the upgrade-backups dir.
#   sudo /opt/fieldclass/current/app/provisioning/rollback.sh --yes [--root DIR]
set -euo pipefail
die() { echo "rollback.sh: error: $*" >&2; exit 1; }
root='' yes=0
while (($#)); do
  case $1 in
    --yes) yes=1; shift ;;
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
[[ $(id -u) -eq 0 ]] || die "run as root"
root=${root%/}
live=1
[[ -z $root ]] || live=0
[[ -L $root/opt/fieldclass/previous ]] || die "no previous release to go back to (/opt/fieldclass/previous)"
cur=$(basename "$(readlink "$root/opt/fieldclass/current")")
prev=$(basename "$(readlink "$root/opt/fieldclass/previous")")
[[ -f $root/opt/fieldclass/releases/$prev/BUILDINFO ]] || die "release $prev is not complete"
backups=$root/var/lib/fieldclass/upgrade-backups
mapfile -t found < <(find "$backups" -mindepth 1 -maxdepth 1 -type d -name "*-from-$prev" | sort)
((${#found[@]})) || die "no database backup taken when upgrading from $prev"
backup=${found[-1]}
((yes)) || die "this goes back to $prev with the databases of $(basename "$backup"); records made since are set aside. Add --yes"

((live)) && systemctl stop fieldclass
aside=$backups/$(date -u +%Y%m%dT%H%M%SZ)-set-aside-$cur
mkdir -p "$aside"
for f in "$root"/var/lib/fieldclass/*.db "$root"/var/lib/fieldclass/*.db-wal "$root"/var/lib/fieldclass/*.db-shm; do
  [[ -f $f ]] && mv "$f" "$aside/"
done
cp -p "$backup"/* "$root/var/lib/fieldclass/"
ln -sfn "releases/$prev" "$root/opt/fieldclass/current.tmp" && mv -Tf "$root/opt/fieldclass/current.tmp" "$root/opt/fieldclass/current"
ln -sfn "releases/$cur" "$root/opt/fieldclass/previous.tmp" && mv -Tf "$root/opt/fieldclass/previous.tmp" "$root/opt/fieldclass/previous"
((live)) && systemctl start fieldclass
echo "rolled back to $prev (databases from $(basename "$backup")); the databases of $cur are in $aside"

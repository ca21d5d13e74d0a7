#!/usr/bin/env bash
# The way back after an upgrade: run the previous release again, on the databases as they were just before
# the upgrade (migrations only go forward, so the older version cannot read upgraded databases).
# Records written since the upgrade are set aside (not deleted), and records.db starts a new epoch (as
# `fieldclass backup restore` does) so that HQ imports what the box exports next.
#   sudo /opt/fieldclass/current/app/provisioning/rollback.sh --yes [--root DIR]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
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
export FC_ROOT=$root
# shellcheck source=../appliance/lib/fileops.sh
. "$here/../appliance/lib/fileops.sh"
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
data=$root/var/lib/fieldclass
prev_rel=$root/opt/fieldclass/releases/$prev
aside=$backups/$(date -u +%Y%m%dT%H%M%SZ)-set-aside-$cur
mkdir -p "$aside"
# Every database but records.db: set aside, the copy from before the upgrade put back (with its -wal).
for f in "$data"/*.db "$data"/*.db-wal "$data"/*.db-shm; do
  [[ -f $f && $(basename "$f") != records.db* ]] && mv "$f" "$aside/"
done
for f in "$backup"/*; do
  [[ -f $f && $(basename "$f") != records.db* ]] && cp -p "$f" "$data/"
done
# records.db through the previous release's `backup restore`: it checks the copy, sets the current database
# aside (in backups/) and starts a new epoch past every epoch used so far. Without one, the sequence numbers
# written since the upgrade, maybe already exported, would be written again with other records and HQ would
# refuse the next bundle as a fork.
epoch_note=''
if [[ -f $backup/records.db ]]; then
  fc_cli "$prev_rel" backup --help 2>/dev/null | grep -qE '^ +restore' ||
    die "release $prev has no 'fieldclass backup restore' (no new epoch): restore $backup/records.db by hand"
  staged=$data/.rollback-records.db
  rm -f "$staged" "$staged-wal" "$staged-shm"
  cp "$backup/records.db" "$staged"
  if [[ -f $backup/records.db-wal ]]; then
    # `backup restore` copies the one file: fold the backup's WAL into it first.
    cp "$backup/records.db-wal" "$staged-wal"
    "$prev_rel/node/bin/node" -e "new (require(process.argv[1]))(process.argv[2]).pragma('wal_checkpoint(TRUNCATE)')" \
      "$prev_rel/app/node_modules/better-sqlite3" "$staged" || die "cannot read $backup/records.db"
  fi
  # Owned like the data dir (the service user): the backup dir itself is root's only.
  chown --reference="$data" "$staged"*
  out=$(fc_cli "$prev_rel" backup restore "$staged") || { rm -f "$staged"*; die "fieldclass backup restore failed: $out"; }
  rm -f "$staged" "$staged-wal" "$staged-shm"
  epoch_note="; $out"
fi
# Whatever the commands above made as root (a test root) belongs to the service user, like the data dir.
find "$data" -maxdepth 2 \( -name '*.db' -o -name '*.db-*' -o -path "$data/backups" \) -exec chown --reference="$data" {} +
ln -sfn "releases/$prev" "$root/opt/fieldclass/current.tmp" && mv -Tf "$root/opt/fieldclass/current.tmp" "$root/opt/fieldclass/current"
ln -sfn "releases/$cur" "$root/opt/fieldclass/previous.tmp" && mv -Tf "$root/opt/fieldclass/previous.tmp" "$root/opt/fieldclass/previous"
if ((live)); then
  systemctl start fieldclass
  fc_wait_healthy "$prev_rel/node/bin/node" || die "release $prev did not answer /healthz within 60 s: journalctl -u fieldclass -n 50"
fi
echo "rolled back to $prev (databases from $(basename "$backup")); the databases of $cur are in $aside and $data/backups$epoch_note"

#!/usr/bin/env bash
# Slow whole-system check (not run by CI): debootstrap a Debian root, install the offline installer into it
# with install.sh --root, boot it with systemd-nspawn, and check that the service and nginx answer.
#   sudo provisioning/debootstrap-test.sh fieldclass-<version>-linux-amd64.tar.gz [bookworm|trixie]
# Needs: debootstrap, systemd-container, internet access to a Debian mirror (for the base system only).
set -euo pipefail
tarball=$(readlink -f "${1:?usage: debootstrap-test.sh <installer tarball> [suite]}")
suite=${2:-bookworm}
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
dir=$(mktemp -d /var/tmp/fieldclass-debootstrap.XXXXXX)
machine=fc-test-$$
trap 'machinectl terminate "$machine" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,dbus,polkitd,nginx,network-manager,dnsmasq-base,fake-hwclock,ca-certificates,iproute2,util-linux,curl \
  "$suite" "$dir" http://deb.debian.org/debian
"$here/install.sh" --bundle "$tarball" --root "$dir" --country FR --no-wifi
# Boot the root; its network is private (no route out), like a box on site.
systemd-nspawn --quiet --boot --private-network --machine="$machine" --directory="$dir" >/dev/null 2>&1 &
for _ in $(seq 1 60); do
  if systemd-run --machine="$machine" --quiet --wait --pipe curl -fsS http://127.0.0.1/healthz 2>/dev/null; then
    echo
    echo "debootstrap-test: $suite root boots, fieldclass and nginx answer /healthz on :80"
    systemd-run --machine="$machine" --quiet --wait --pipe systemctl --no-pager status fieldclass | head -n 5
    exit 0
  fi
  sleep 2
done
echo "debootstrap-test: no answer from http://127.0.0.1/healthz inside the booted root" >&2
exit 1

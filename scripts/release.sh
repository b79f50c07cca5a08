#!/usr/bin/env bash
# Builds every release artifact of ebguard into one directory (default dist/):
#
#   ebguard-x86_64, ebguard-aarch64          static musl executables (.platform/bin/, GitHub release)
#   ebguard-<v>-py3-none-manylinux2014_<arch>.manylinux_2_17_<arch>.musllinux_1_2_<arch>.whl
#                                            one wheel per CPU holding that static executable: it
#                                            links no libc, so one file is both a manylinux and a
#                                            musllinux wheel (maturin, `bindings = "bin"`)
#   ebguard-<v>.tar.gz                       sdist (pip builds it with Rust where no wheel fits)
#   ebguard-<v>.tgz, ebguard-linux-<cpu>-<v>.tgz
#                                            npm: the launcher package and one package per CPU
#   SHA256SUMS                               `sha256sum -c SHA256SUMS` checks them all
#
# Each CPU is compiled once (maturin's cargo build); the wheel, the npm package and the plain
# executable all carry that one binary. The version of every artifact is Cargo.toml's.
#
# Usage: scripts/release.sh [--check] [--out DIR] [--arch x86_64|aarch64]...
#
#   --check   cheap mode for tests and CI: the host CPU only, the dev profile with the host
#             target (reuses an existing `cargo build`/`cargo test` build: no release
#             compile), wheel tagged `linux_<arch>` (installable here, not uploadable), and the
#             same packaging, version and checksum steps as a release.
#
# Needs: Python with maturin (`pip install 'maturin>=1.9,<2'`), Node.js with npm, sha256sum;
# for a release also the musl targets, musl-gcc and Debian's cross gcc for the other CPU:
#   rustup target add x86_64-unknown-linux-musl aarch64-unknown-linux-musl
#   apt-get install musl-tools gcc-aarch64-linux-gnu     # (on an aarch64 host: gcc-x86-64-linux-gnu)
# MATURIN (default: maturin on PATH) and NPM (default: npm) name the tools.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

check=false
out=""
arches=()
while [ $# -gt 0 ]; do
    case "$1" in
        --check) check=true ;;
        --out) out="${2:?--out needs a directory}"; shift ;;
        --out=*) out="${1#--out=}" ;;
        --arch) arches+=("${2:?--arch needs x86_64 or aarch64}"); shift ;;
        --arch=*) arches+=("${1#--arch=}") ;;
        -h | --help) usage; exit 0 ;;
        *) echo "release.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
    esac
    shift
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
MATURIN=${MATURIN:-maturin}
NPM=${NPM:-npm}
started=$(date +%s)
say() { echo "release.sh: $*" >&2; }
die() { echo "release.sh: error: $*" >&2; exit 1; }

for tool in "$MATURIN" "$NPM" node cargo sha256sum python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed (see --help for the toolchain)"
done

# Cargo.toml is the single source of the version; cargo also says where it builds.
read -r version target_dir < <(cargo metadata --no-deps --format-version 1 --manifest-path "$root/Cargo.toml" |
    python3 -c 'import json,sys; m=json.load(sys.stdin); p=[p for p in m["packages"] if p["name"]=="ebguard"][0]; print(p["version"], m["target_directory"])')
say "ebguard $version"

# Every other place that names a version must name this one.
drift=$(python3 - "$version" <<'PY'
import json, re, sys, pathlib
v = sys.argv[1]
bad = []
for f in ["npm/ebguard/package.json", "npm/linux-x64/package.json", "npm/linux-arm64/package.json"]:
    pkg = json.loads(pathlib.Path(f).read_text())
    if pkg["version"] != v:
        bad.append(f"{f}: version {pkg['version']}")
    for dep, want in pkg.get("optionalDependencies", {}).items():
        if want != v:
            bad.append(f"{f}: {dep} {want}")
text = pathlib.Path("pre-commit/pyproject.toml").read_text()
pins = re.findall(r'"ebguard==([^"]+)"', text)
if pins != [v]:
    bad.append(f"pre-commit/pyproject.toml: ebguard=={pins}")
own = re.findall(r'^version = "([^"]+)"', text, re.M)
if own != [v]:
    bad.append(f"pre-commit/pyproject.toml: version {own}")
action = pathlib.Path("action.yml").read_text()
m = re.search(r"version:\s*\n(?:\s+\S.*\n)*?\s+default:\s*\"?([0-9][^\"\s]*)", action)
if not m or m.group(1) != v:
    bad.append(f"action.yml: default version {m.group(1) if m else 'missing'}")
print("\n".join(bad))
PY
)
[ -z "$drift" ] || die "these files do not carry Cargo.toml's version $version:
$drift"

host=$(uname -m)
case "$host" in
    x86_64 | amd64) host=x86_64 ;;
    aarch64 | arm64) host=aarch64 ;;
esac
if $check; then
    [ ${#arches[@]} -eq 0 ] || die "--check builds the host CPU only"
    arches=("$host")
elif [ ${#arches[@]} -eq 0 ]; then
    arches=(x86_64 aarch64)
fi

out=${out:-$root/dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Only this release's files: stale artifacts would end up in SHA256SUMS.
find "$out" -mindepth 1 -maxdepth 1 \( -name 'ebguard*' -o -name SHA256SUMS -o -name .npm-stage \) -exec rm -rf {} +

npm_cpu() {
    case "$1" in
        x86_64) echo x64 ;;
        aarch64) echo arm64 ;;
        *) die "unsupported CPU $1 (x86_64 or aarch64)" ;;
    esac
}

for arch in "${arches[@]}"; do
    npm_cpu "$arch" >/dev/null
    t0=$(date +%s)
    if $check; then
        # The host target and the dev profile: cargo finds the build `cargo test` left and
        # only relinks the executable without symbols (121 MB -> 21 MB, so packing and
        # installing stay quick; measured: a 35 MB wheel took 2.8 s to pip-install, 6.8 MB 1.7 s).
        "$MATURIN" build --quiet --profile dev --strip --compatibility linux --out "$out"
        binary="$target_dir/debug/ebguard"
    else
        triple="$arch-unknown-linux-musl"
        rustup target list --installed 2>/dev/null | grep -qx "$triple" ||
            die "the Rust target $triple is missing: rustup target add $triple"
        if [ "$arch" = "$host" ]; then
            # ring's C code is compiled for musl by musl-gcc (cc finds it).
            command -v musl-gcc >/dev/null || die "musl-gcc is missing: apt-get install musl-tools"
        else
            # Debian's cross gcc drives the link; Rust's self-contained musl provides libc.
            cross=${CROSS_CC:-$arch-linux-gnu-gcc}
            command -v "$cross" >/dev/null || die "$cross is missing: apt-get install gcc-$arch-linux-gnu"
            upper=$(echo "$triple" | tr 'a-z-' 'A-Z_')
            export "CC_${triple//-/_}=$cross" "CARGO_TARGET_${upper}_LINKER=$cross"
        fi
        "$MATURIN" build --release --target "$triple" --compatibility manylinux2014 musllinux_1_2 --out "$out"
        binary="$target_dir/$triple/release/ebguard"
        file "$binary" | grep -q 'statically linked\|static-pie linked' ||
            die "$binary is not static: $(file -b "$binary")"
    fi
    install -m 0755 "$binary" "$out/ebguard-$arch"
    # Run it: natively, or through qemu's user-mode emulator for the other CPU when installed
    # (apt-get install qemu-user-static).
    runner=()
    if [ "$arch" != "$host" ]; then
        for emulator in "qemu-$arch-static" "qemu-$arch"; do
            if command -v "$emulator" >/dev/null; then runner=("$emulator"); break; fi
        done
    fi
    if [ "$arch" = "$host" ] || [ ${#runner[@]} -gt 0 ]; then
        got=$("${runner[@]}" "$out/ebguard-$arch" --version)
        [ "$got" = "ebguard $version" ] || die "ebguard-$arch --version says '$got', not 'ebguard $version'"
    else
        say "$arch: not run (no qemu-$arch-static to emulate it)"
    fi
    say "$arch: built in $(($(date +%s) - t0)) s"
done

"$MATURIN" sdist --out "$out" >/dev/null
sdist="$out/ebguard-$version.tar.gz"
[ -f "$sdist" ] || die "maturin sdist did not write $sdist"
# The sdist must build on its own: crate, lock file, the rule documents `explain` embeds.
listing=$(tar -tzf "$sdist")
for need in Cargo.toml Cargo.lock pyproject.toml src/main.rs python/ebguard/__main__.py rules/EB001-migration-not-leader-only.md; do
    grep -qx "ebguard-$version/$need" <<<"$listing" || die "the sdist lacks $need"
done
if grep -q "^ebguard-$version/\(tests\|testdata\|fuzz\)/" <<<"$listing"; then
    die "the sdist carries tests or fixtures"
fi

# npm: stage each package with Cargo.toml's version and its executable, then pack.
stage="$out/.npm-stage"
mkdir -p "$stage"
packages=(ebguard)
for arch in "${arches[@]}"; do
    cpu=$(npm_cpu "$arch")
    packages+=("linux-$cpu")
done
for pkg in "${packages[@]}"; do
    cp -R "npm/$pkg" "$stage/$pkg"
    node - "$stage/$pkg/package.json" "$version" <<'JS'
const fs = require("fs");
const [file, version] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
pkg.version = version;
for (const dep of Object.keys(pkg.optionalDependencies || {})) pkg.optionalDependencies[dep] = version;
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
JS
done
for arch in "${arches[@]}"; do
    cpu=$(npm_cpu "$arch")
    mkdir -p "$stage/linux-$cpu/bin"
    install -m 0755 "$out/ebguard-$arch" "$stage/linux-$cpu/bin/ebguard"
done
for pkg in "${packages[@]}"; do
    (cd "$stage/$pkg" && "$NPM" pack --silent --pack-destination "$out" >/dev/null)
done
rm -rf "$stage"

(cd "$out" && find . -maxdepth 1 -type f -name 'ebguard*' -printf '%f\n' | LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
say "wrote $out in $(($(date +%s) - started)) s:"
(cd "$out" && find . -maxdepth 1 -type f \( -name 'ebguard*' -o -name SHA256SUMS \) -printf '  %10s  %f\n' | LC_ALL=C sort -k2 >&2)

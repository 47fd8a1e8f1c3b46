#!/usr/bin/env bash
# Install a software WebGPU stack for CI: Mesa's lavapipe (a Vulkan driver on the CPU) from
# bookworm-backports, which Dawn (the `webgpu` npm package, dawn.node) then finds through the Vulkan loader.
#
# Why backports: Dawn (dawn.node in the `webgpu` npm package) needs a recent Vulkan driver; the brief asks
# for backports' Mesa 25.0 lavapipe, which is what the project's WebGPU tests were verified with
# (adapter "llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6)"). bookworm's own Mesa 22.3 was not tried.
#
# Needed environment: nothing else. Dawn finds lavapipe through the Vulkan loader's default ICD
# directory (/usr/share/vulkan/icd.d/lvp_icd.json); no XDG_RUNTIME_DIR warning appears without one in
# headless compute use, but a private one is created and exported anyway (Mesa's WSI code looks for it).
# Optional: VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json pins lavapipe when GPU drivers exist too.
#
# Run as root on a fresh Debian 12 (bookworm) machine. Idempotent: re-running changes nothing and does not
# fail. Progress goes to stderr; the last lines on stdout are `export` lines for the environment the GPU
# tests need, so a CI step can do:   eval "$(.ci/install-webgpu.sh)"
# When $GITHUB_ENV is set (GitHub Actions) the same variables are also appended there.
set -euo pipefail

log() { printf '[install-webgpu] %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (apt-get install); got uid $(id -u)"
  exit 1
fi
codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
if [ "$codename" != "bookworm" ]; then
  log "expected Debian 12 (bookworm), found VERSION_CODENAME='${codename}'; trying anyway"
fi

# --- 1. bookworm-backports apt source (deb822), same mirror and key as the main Debian source -----------
backports_file=/etc/apt/sources.list.d/backports.sources
main_file=/etc/apt/sources.list.d/debian.sources
uris="http://deb.debian.org/debian"
signed_by="/usr/share/keyrings/debian-archive-keyring.gpg"
if [ -f "$main_file" ]; then
  # First stanza of debian.sources is the main archive (the second is usually debian-security).
  first_uri="$(awk '/^URIs:/ { print $2; exit }' "$main_file")"
  first_key="$(awk '/^Signed-By:/ { print $2; exit }' "$main_file")"
  [ -n "$first_uri" ] && uris="$first_uri"
  [ -n "$first_key" ] && signed_by="$first_key"
fi
# Only files apt reads (*.list, *.sources) count; e.g. `*.disabled` copies do not.
if grep -qs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
  log "bookworm-backports already in apt sources"
else
  log "adding $backports_file (URIs: $uris)"
  cat > "$backports_file" <<EOF
Types: deb
URIs: $uris
Suites: bookworm-backports
Components: main
Signed-By: $signed_by
EOF
fi

# --- 2. Vulkan loader + Mesa Vulkan drivers (lavapipe) from backports ----------------------------------
packages=(libvulkan1 mesa-vulkan-drivers)
before="$(dpkg-query -W -f='${Package} ${Version} ${Status}\n' "${packages[@]}" 2>/dev/null | awk '$NF == "installed" { print $1 " " $2 }' || true)"
# Skip the (slow) update + install when both are installed and Mesa is the backports build
# (libvulkan1 itself has no backport: bookworm's 1.3.239 loader is what backports resolves to).
installed_ok=1
for p in "${packages[@]}"; do
  st="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
  [ "$st" = "install ok installed" ] || installed_ok=0
done
case "$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)" in
  *bpo*) ;;
  *) installed_ok=0 ;;
esac
if [ "$installed_ok" -eq 1 ]; then
  log "already installed from backports:"
  printf '%s\n' "$before" | sed 's/^/[install-webgpu]   /' >&2
else
  log "apt-get update"
  apt-get update -qq >&2
  log "apt-get install -t bookworm-backports ${packages[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -t bookworm-backports "${packages[@]}" >&2
  log "installed:"
  dpkg-query -W -f='${Package} ${Version}\n' "${packages[@]}" | sed 's/^/[install-webgpu]   /' >&2
fi

icd=/usr/share/vulkan/icd.d/lvp_icd.json
if [ -f "$icd" ]; then
  log "lavapipe ICD: $icd"
else
  log "lavapipe ICD not found at $icd; ICDs present:"
  ls /usr/share/vulkan/icd.d/ >&2 || true
fi

# --- 3. Environment ------------------------------------------------------------------------------------
# The Vulkan WSI/loader code warns (and some Mesa builds misbehave) without a private runtime dir.
runtime_dir="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime-$(id -u)}"
mkdir -p "$runtime_dir"
chmod 0700 "$runtime_dir"
log "XDG_RUNTIME_DIR=$runtime_dir"
if [ -n "${GITHUB_ENV:-}" ]; then
  printf 'XDG_RUNTIME_DIR=%s\n' "$runtime_dir" >> "$GITHUB_ENV"
fi
printf 'export XDG_RUNTIME_DIR=%s\n' "$runtime_dir"

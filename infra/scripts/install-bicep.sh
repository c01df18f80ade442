#!/usr/bin/env bash
# Installs a pinned Bicep CLI from NuGet (the only registry that ships it as a package) into
# node_modules/.cache/bicep/<version>/, and prints the binary's path on stdout.
#
# Idempotent and fast when already installed. Needs only NuGet: first a plain download of the
# .nupkg from NuGet's v3 flat container (curl or wget), then, if that fails, `dotnet restore` of a
# throw-away project with a <PackageDownload>. The package's SHA-512 is checked against the pin
# below, whichever way it came.
#
# Environment: BICEP_VERSION (default below; changing it requires a matching BICEP_SHA512 or
# BICEP_SKIP_HASH=1), BICEP_CACHE_DIR (default <repo>/node_modules/.cache/bicep).
set -euo pipefail

BICEP_VERSION="${BICEP_VERSION:-0.49.2}"
# sha512 of azure.bicep.commandline.linux-x64.0.49.2.nupkg as served by NuGet.
PINNED_LINUX_X64_SHA512="9019d7d221bdc1dfcf59d093c057d4be6e897a69fee4beec63b6fb1d08b993e2cbc1d166adbc38cb94532c5c5ec0214c741a944e188e20b31aeec8339253c401"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache_root="${BICEP_CACHE_DIR:-$repo_root/node_modules/.cache/bicep}"
install_dir="$cache_root/$BICEP_VERSION"
bin="$install_dir/bicep"

log() { printf 'install-bicep: %s\n' "$*" >&2; }

if [[ -x "$bin" ]]; then
  printf '%s\n' "$bin"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) rid="linux-x64" ;;
  Linux-aarch64 | Linux-arm64) rid="linux-arm64" ;;
  Darwin-x86_64) rid="osx-x64" ;;
  Darwin-arm64) rid="osx-arm64" ;;
  *) log "unsupported platform $(uname -s)-$(uname -m)"; exit 1 ;;
esac
package_id="Azure.Bicep.CommandLine.$rid"
package_lower="$(printf '%s' "$package_id" | tr '[:upper:]' '[:lower:]')"
nupkg_name="$package_lower.$BICEP_VERSION.nupkg"

expected_sha512="${BICEP_SHA512:-}"
if [[ -z "$expected_sha512" && "$rid" == "linux-x64" && "$BICEP_VERSION" == "0.49.2" ]]; then
  expected_sha512="$PINNED_LINUX_X64_SHA512"
fi
if [[ -z "$expected_sha512" && "${BICEP_SKIP_HASH:-0}" != "1" ]]; then
  log "no SHA-512 pinned for $package_id $BICEP_VERSION: set BICEP_SHA512 (or BICEP_SKIP_HASH=1 to accept NuGet's signature check alone)"
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
nupkg="$work/$nupkg_name"

download_flat_container() {
  local url="https://api.nuget.org/v3-flatcontainer/$package_lower/$BICEP_VERSION/$nupkg_name"
  log "downloading $package_id $BICEP_VERSION from NuGet"
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --retry 3 --connect-timeout 20 --max-time 600 -o "$nupkg" "$url"
  elif command -v wget >/dev/null 2>&1; then
    wget --quiet --tries=3 --timeout=60 -O "$nupkg" "$url"
  else
    return 1
  fi
}

download_with_dotnet() {
  command -v dotnet >/dev/null 2>&1 || return 1
  log "falling back to dotnet restore of $package_id $BICEP_VERSION"
  local proj="$work/fetch"
  mkdir -p "$proj"
  cat >"$proj/fetch.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <RestorePackagesPath>$work/packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$package_id" Version="[$BICEP_VERSION]" />
  </ItemGroup>
</Project>
XML
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet restore "$proj/fetch.csproj" --nologo -v quiet >&2
  cp "$work/packages/$package_lower/$BICEP_VERSION/$nupkg_name" "$nupkg"
}

if ! download_flat_container; then
  rm -f "$nupkg"
  download_with_dotnet || { log "could not fetch $package_id $BICEP_VERSION from NuGet"; exit 1; }
fi

if [[ -n "$expected_sha512" ]]; then
  actual_sha512="$(sha512sum "$nupkg" 2>/dev/null | cut -d' ' -f1 || shasum -a 512 "$nupkg" | cut -d' ' -f1)"
  if [[ "$actual_sha512" != "$expected_sha512" ]]; then
    log "SHA-512 mismatch for $nupkg_name: got $actual_sha512"
    exit 1
  fi
fi

extract="$work/extract"
mkdir -p "$extract"
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$nupkg" tools/bicep -d "$extract"
elif command -v python3 >/dev/null 2>&1; then
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("tools/bicep", sys.argv[2])' "$nupkg" "$extract"
else
  log "need unzip or python3 to unpack the package"
  exit 1
fi

chmod +x "$extract/tools/bicep"
"$extract/tools/bicep" --version >&2
# Move into place atomically so a concurrent or interrupted run never leaves a half-written binary.
mkdir -p "$install_dir"
mv "$extract/tools/bicep" "$install_dir/bicep.tmp.$$"
mv -f "$install_dir/bicep.tmp.$$" "$bin"
printf '%s\n' "$bin"

#!/bin/sh
# Vendor Twilio's Voice JavaScript SDK from npm: ./update-voice-sdk.sh 2.18.5
# Copies dist/twilio.min.js and LICENSE.md into twilio-voice-sdk/ and writes manifest.json
# (version, the file's sha256, the npm tarball's integrity). The desk loads nothing from a CDN.
set -eu
version="${1:?usage: $0 VERSION (for example 2.18.5)}"
package="@twilio/voice-sdk"
target="$(cd "$(dirname "$0")" && pwd)/twilio-voice-sdk"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }

integrity="$(npm view "$package@$version" dist.integrity)"
source="$(npm view "$package@$version" dist.tarball)"
tarball="$(cd "$work" && npm pack --silent "$package@$version")"
# npm checks the integrity as it downloads; checking again here keeps the manifest honest.
got="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | openssl base64 -A)"
if [ "$got" != "$integrity" ]; then
  echo "the tarball's integrity $got is not the registry's $integrity" >&2
  exit 1
fi
tar -xzf "$work/$tarball" -C "$work"
grep -q "RELEASE_VERSION=\"$version\"" "$work/package/dist/twilio.min.js" || {
  echo "dist/twilio.min.js does not say it is version $version" >&2
  exit 1
}
mkdir -p "$target"
cp "$work/package/dist/twilio.min.js" "$work/package/LICENSE.md" "$target/"
cat > "$target/manifest.json" <<JSON
{
  "name": "$package",
  "version": "$version",
  "license": "$(npm view "$package@$version" license)",
  "file": "twilio.min.js",
  "sha256": "$(sha256 "$target/twilio.min.js")",
  "tarball": "$source",
  "integrity": "$integrity"
}
JSON
echo "vendored $package $version into $target"

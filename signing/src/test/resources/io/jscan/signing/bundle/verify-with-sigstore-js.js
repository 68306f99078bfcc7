// Verifies a key-signed Sigstore bundle with sigstore-js (@sigstore/verify), offline:
//   node verify-with-sigstore-js.js BUNDLE ARTIFACT KEY.pub TRUSTED_ROOT
// The key is offered only under the hint sigstore-js computes from the bundle, and that hint must be
// the base64 SHA-256 of the key's DER (what cosign and jscan write). No transparency log or
// timestamp is required (tlogThreshold 0), as for a cosign bundle made with the log turned off.
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [bundlePath, artifactPath, keyPath, rootPath] = process.argv.slice(2);
const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
const key = crypto.createPublicKey(fs.readFileSync(keyPath, 'utf8'));
const keyHint = crypto.createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64');
const keys = (hint) => {
  if (hint !== keyHint) {
    throw new Error('no key for hint ' + hint);
  }
  return { publicKey: key, validFor: () => true };
};
const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8'))), keys);
const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
try {
  verifier.verify(toSignedEntity(bundle, fs.readFileSync(artifactPath)));
  console.log('sigstore-js: verified');
} catch (e) {
  console.log('sigstore-js: rejected: ' + e.message);
  process.exit(3);
}

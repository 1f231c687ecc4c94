// Stands in for `sharp` (image decoding) in the bundled embedding worker (see esbuild.js): text
// embeddings never decode an image, and sharp's native packages are not shipped with the bundles.
module.exports = function sharp() {
  throw new Error('image decoding (sharp) is not part of this bundle');
};

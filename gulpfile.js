const { rm } = require('node:fs/promises');
const { src, dest, parallel } = require('gulp');

// A fresh dist/ every build: files of deleted or renamed sources must never be packed.
async function clean() {
	await rm('dist', { recursive: true, force: true });
}

// tsc compiles the TypeScript; the icons and the codex files are not TypeScript and are
// copied beside it, keeping their paths (credentials and nodes point at ../icons/*.svg).
function copyIcons() {
	return src('icons/*.svg').pipe(dest('dist/icons'));
}

function copyCodex() {
	return src('nodes/**/*.node.json').pipe(dest('dist/nodes'));
}

exports.clean = clean;
exports['build:icons'] = parallel(copyIcons, copyCodex);

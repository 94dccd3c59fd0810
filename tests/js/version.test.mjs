// The client's version string (web/version.js) must equal the Python package version
// (chgrid/__init__.py), which the server reports as welcome.serverInfo.version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('web/version.js matches chgrid.__version__', () => {
  const web = /window\.CHGRID_WEB_VERSION\s*=\s*"([^"]*)"/.exec(readFileSync(`${root}web/version.js`, 'utf8'));
  const py = /^__version__\s*=\s*["']([^"']+)["']/m.exec(readFileSync(`${root}chgrid/__init__.py`, 'utf8'));
  assert.ok(web, 'web/version.js defines window.CHGRID_WEB_VERSION = "..."');
  assert.ok(py, 'chgrid/__init__.py defines __version__');
  assert.equal(web[1], py[1]);
});

// The page shell and the static rules of web/: every page of an area has, byte for byte, the head, header and footer
// of the area's index.html (the template: its own title, module script and <main> left out; the dashboard has the
// organisers' shell with its own stylesheet added), nothing inline that
// the CSP would block, and the door app's service worker precaches every module the app imports.
// Reads files only: no server, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.resolve(here, '../../web');
const read = (p) => fs.readFileSync(p, 'utf8');
const htmlIn = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.html')).map((f) => path.join(dir, f));

/** The page with its own parts replaced by the template's placeholders: {{title}}, {{script}}, {{main}}. */
function shellOf(file) {
  const text = read(file);
  const mainStart = text.indexOf('<main ');
  const mainEnd = text.indexOf('</main>');
  assert.ok(mainStart > 0 && mainEnd > mainStart, `${file}: one <main> element`);
  let head = text.slice(0, mainStart);
  const title = /<title data-i18n="[\w.]+">[^<]+<\/title>/;
  const script = /<script type="module" src="[^"]+"><\/script>/;
  assert.match(head, title, `${file}: <title data-i18n="key">text</title>`);
  assert.match(head, script, `${file}: one module script`);
  head = head.replace(title, '{{title}}').replace(script, '{{script}}');
  return `${head}{{main}}\n${text.slice(mainEnd)}`;
}

for (const [area, dir] of [['public', web], ['admin', path.join(web, 'admin')]]) {
  test(`every ${area} page has the shell of ${path.relative(web, path.join(dir, 'index.html'))}`, () => {
    const template = shellOf(path.join(dir, 'index.html'));
    const pages = htmlIn(dir);
    assert.ok(pages.length >= 3);
    for (const page of pages) assert.equal(shellOf(page), template, `${path.relative(web, page)}: the shell differs from index.html's`);
  });
}

test('the dashboard has the organisers’ shell (their menu, sign-in bar and footer) plus its own stylesheet', () => {
  const template = shellOf(path.join(web, 'admin', 'index.html'));
  const page = path.join(web, 'dashboard', 'index.html');
  const own = '<link rel="stylesheet" href="/dashboard/dashboard.css">\n';
  const shell = shellOf(page);
  assert.ok(shell.includes(own), 'dashboard/index.html links /dashboard/dashboard.css');
  assert.equal(shell.replace(own, ''), template, 'dashboard/index.html: the shell differs from admin/index.html’s');
  assert.match(template, /<a href="\/dashboard\/"/, 'the organisers’ menu links the dashboard');
});

test('no page has inline scripts, styles or event handlers (the CSP allows none)', () => {
  for (const page of [...htmlIn(web), ...htmlIn(path.join(web, 'admin')), ...htmlIn(path.join(web, 'checkin')),
    ...htmlIn(path.join(web, 'dashboard'))]) {
    const text = read(page);
    const name = path.relative(web, page);
    for (const tag of text.match(/<script\b[^>]*>/g) || []) assert.match(tag, /\ssrc="/, `${name}: inline script ${tag}`);
    assert.doesNotMatch(text, /<style\b/, `${name}: <style> element`);
    assert.doesNotMatch(text, /\sstyle="/, `${name}: style attribute`);
    assert.doesNotMatch(text, /\son[a-z]+="/, `${name}: inline event handler`);
  }
});

/** Every module file reachable from entry through static imports, as paths under web/. */
function moduleGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of read(file).matchAll(/^import\s+(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      visit(path.resolve(path.dirname(file), m[1]));
    }
  };
  visit(entry);
  return [...seen].map((f) => path.relative(web, f));
}

test('the door app precaches every module it imports, the shared ones in /lib/ included', () => {
  const sw = read(path.join(web, 'checkin', 'sw.js'));
  const listed = new Set();
  for (const name of ['LIB', 'SHELL']) {
    const body = new RegExp(`const ${name} = \\[([^\\]]*)\\]`).exec(sw);
    assert.ok(body, `sw.js: const ${name} = [...]`);
    for (const m of body[1].matchAll(/'([^']+)'/g)) listed.add(path.posix.join('checkin', m[1]));
  }
  const modules = moduleGraph(path.join(web, 'checkin', 'app.js'));
  assert.ok(modules.some((m) => m.startsWith('lib/')), 'the door app uses the shared toolkit');
  for (const m of modules) assert.ok(listed.has(m), `sw.js does not precache ${m}`);
  for (const f of listed) assert.ok(f === 'checkin' || fs.existsSync(path.join(web, f)), `sw.js precaches a missing file ${f}`);
});

// console.mjs: the web console in a real browser, Debian's chromium driven
// by puppeteer-core, against the gated that tests/integration/console.sh
// started.  Prints PASS:/FAIL: lines like every other test; the shell
// script counts them.  Environment: URL, ART (screenshots), SOCK and
// GATECTL (the gate's local socket, to present cards), TOKEN_ADMIN,
// TOKEN_GUARD, TOKEN_VIEWER, CONSOLE_DIR (for the page weight).
import {readdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {answer, check, checkContrast, checkScreen, gatectlAt, newPage, signInAt,
    withBrowser} from './common.mjs';

const env = process.env;
const URL = env.URL;

const gatectl = (...args) => gatectlAt(env.SOCK, ...args);

// The console's bytes: every file raw, and gzipped as make install does.
function weight(dir) {
	let raw = 0, gz = 0, files = 0;
	const walk = (d) => {
		for (const f of readdirSync(d)) {
			const p = join(d, f);
			if (statSync(p).isDirectory()) {
				walk(p);
				continue;
			}
			const b = readFileSync(p);
			raw += b.length;
			gz += gzipSync(b, {level: 9}).length;
			files++;
		}
	};
	walk(dir);
	return {raw, gz, files};
}

const signIn = (page, token) => signInAt(page, URL, token, '.lane');

async function main() {
	const w = weight(env.CONSOLE_DIR);
	console.log(`page weight: ${w.files} files, ${w.raw} bytes, ${w.gz} bytes gzipped (-9)`);
	check(w.gz < 50000, `the console is small for a Pi: ${w.gz} bytes gzipped`);

	await withBrowser(scenarios);
}

async function scenarios(browser) {
	const errors = [];
	const guard = await browser.createBrowserContext();
	const page = await newPage(guard, errors);

	// ---- sign in as the guard ----
	await signIn(page, env.TOKEN_GUARD);
	check(await page.$eval('#who', (e) => e.textContent) === 'guardhouse (guard)',
	    'signed in: the page names the token and its role');
	check(await page.$('button[data-open="ped"]') !== null,
	    'a guard sees the open-once buttons');
	check(await page.$('#mode-in') === null, 'a guard is not offered the mode');
	await page.waitForFunction(() => document.querySelector('#live').textContent === 'live');

	// ---- a card appears within 1 s ----
	const before = await page.$$eval('#passage-rows tr', (r) => r.length);
	const t0 = performance.now();
	const card = gatectl('sim', 'card', 'ped-in', '1001');
	await page.waitForFunction((n) => document.querySelectorAll('#passage-rows tr').length > n,
	    {polling: 'mutation', timeout: 5000}, before);
	const ms = performance.now() - t0;
	const ev = await card;
	console.log(`card to row: ${ms.toFixed(0)} ms (gatectl sim card to the row on the page)`);
	check(ms < 1000, `a simulated card's row is on the page within 1 s (${ms.toFixed(0)} ms)`);
	const row = await page.$eval('#passage-rows tr', (r) => ({id: r.dataset.event, text: r.textContent}));
	check(row.id === String(ev.event) && row.text.includes('granted') && row.text.includes('E1001'),
	    `the row is event ${ev.event}, granted, person E1001: ${row.text}`);

	// ---- the amber wait, then a fever, acknowledged from the page ----
	await gatectl('level', 'set', '1', '--reason', 'console test: temperature checks');
	const waiting = gatectl('sim', 'card', 'ped-in', '1002');
	const amber = await page.waitForSelector('li.lane.amber[data-lane="ped"]', {timeout: 3000})
	    .then(() => true, () => false);
	check(amber, 'a card waiting for its temperature lights the amber lamp on the page');
	check(amber && (await page.$eval('li.lane.amber[data-lane="ped"]', (e) => e.textContent))
	    .includes('Waiting for a temperature'), 'the amber lamp is said in words too');
	await page.setViewport({width: 1024, height: 600});
	if (amber)
		await page.screenshot({path: `${env.ART}/gate-amber-1024x600.png`});
	await gatectl('sim', 'temp', 'therm', '36.7');
	await waiting;
	await gatectl('sim', 'card', 'ped-in', '1003', '--temp', '38.6');
	await page.waitForSelector('#alert-list button[data-ack]', {visible: true, timeout: 3000});
	const feverRow = await page.$eval('#passage-rows tr', (r) => r.textContent);
	check(feverRow.includes('denied') && feverRow.includes('fever') && feverRow.includes('38.6'),
	    `the fever's row says denied, fever and the temperature: ${feverRow}`);
	await page.screenshot({path: `${env.ART}/gate-alert-1024x600.png`});
	const alertId = await page.$eval('#alert-list button[data-ack]', (b) => b.dataset.ack);
	await page.click(`#alert-list button[data-ack="${alertId}"]`);
	await answer(page, 'fever checked at the booth');
	const acked = await page.waitForFunction((id) => !document.querySelector(`button[data-ack="${id}"]`),
	    {timeout: 3000}, alertId).then(() => true, () => false);
	check(acked, `alert ${alertId} acknowledged from the page is gone from it`);
	const st = await gatectl('status');
	check(!st.alerts.some((a) => String(a.id) === alertId), `the gate no longer has alert ${alertId} active`);

	// ---- open once pulses the simulated relay ----
	const outs = async () => (await gatectl('sim', 'outputs')).outputs.find((o) => o.name === 'door');
	const door0 = await outs();
	await page.click('button[data-open="ped"]');
	await answer(page, 'ambulance crew');
	const pulsed = await (async () => {
		for (let i = 0; i < 40; i++) {
			const d = await outs();
			if (d && d.changes > door0.changes)
				return true;
			await new Promise((r) => setTimeout(r, 50));
		}
		return false;
	})();
	check(pulsed, `open once from the page pulses the door relay (changes ${door0.changes} -> more)`);
	await page.waitForFunction(() => document.querySelector('#notice').textContent.includes('opened once'));

	// ---- keyboard: focus is visible ----
	await page.focus('button[data-open="ped"]');
	await page.keyboard.press('Tab');
	await page.keyboard.down('Shift');
	await page.keyboard.press('Tab');
	await page.keyboard.up('Shift');
	const ring = await page.evaluate(() => {
		const e = document.activeElement;
		const s = getComputedStyle(e);
		return {tag: e.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth)};
	});
	check(ring.tag === 'BUTTON' && ring.style !== 'none' && ring.width >= 2,
	    `a button focused from the keyboard shows a ring (${ring.style} ${ring.width}px)`);

	// ---- three screens ----
	const sizes = [['booth', 1024, 600], ['phone', 390, 844], ['desktop', 1440, 900]];
	for (const [name, width, height] of sizes) {
		await page.setViewport({width, height});
		await checkScreen(browser, page, `${name} ${width}x${height}`,
		    `${env.ART}/gate-${name}-${width}x${height}.png`, ['header h1', '#lanes',
		    '#alerts', '#passages', 'button[data-open="ped"]']);
		if (name === 'booth') {
			const top = await page.$eval('button[data-open="ped"]', (b) => b.getBoundingClientRect().bottom);
			check(top <= height, `booth: the open button is on the first screen (bottom at ${top.toFixed(0)} px)`);
		}
	}
	await page.setViewport({width: 1024, height: 600});
	await checkContrast(page, "the guard's page", ['body', '.who', '.lane-state', 'button.primary',
	    '.verdict.ok', '.verdict.no', 'th', '.kind', '#notice', '#live']);
	check(errors.length === 0, `no console errors on the guard's page${errors.length ? ': ' + errors.join(' | ') : ''}`);

	// ---- the viewer: no buttons, and forged changes refused ----
	const verr = [];
	const viewer = await browser.createBrowserContext();
	const vp = await newPage(viewer, verr);
	await signIn(vp, env.TOKEN_VIEWER);
	const buttons = await vp.$$eval('main button', (bs) => bs.map((b) => b.textContent));
	check(buttons.length === 0, `a viewer sees no buttons (${buttons.join(', ') || 'none'})`);
	check(await vp.$('#mode-in') === null && await vp.$('#level-in') === null,
	    'a viewer is not offered mode or level');
	await vp.screenshot({path: `${env.ART}/gate-viewer-1024x600.png`});
	check(verr.length === 0, `no console errors on the viewer's page${verr.length ? ': ' + verr.join(' | ') : ''}`);
	const forged = await vp.evaluate(async () => {
		const post = (headers) => fetch('/v1/lanes/ped/open', {method: 'POST',
		    headers: {'Content-Type': 'application/json', ...headers},
		    body: JSON.stringify({reason: 'forged'})}).then((r) => r.status);
		const s = await (await fetch('/v1/session')).json();
		return {none: await post({}), wrong: await post({'X-CSRF-Token': '0'.repeat(64)}),
		    right: await post({'X-CSRF-Token': s.csrf})};
	});
	check(forged.none === 403 && forged.wrong === 403,
	    `a viewer's session: a change without or with a wrong X-CSRF-Token is refused (${forged.none}, ${forged.wrong})`);
	check(forged.right === 403, `a viewer's session with its CSRF token still may not open (${forged.right}: the role)`);
	const gforged = await page.evaluate(async () => fetch('/v1/lanes/ped/open', {method: 'POST',
	    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({reason: 'forged'})})
	    .then((r) => r.status));
	check(gforged === 403, `a guard's session without the X-CSRF-Token header may not open (${gforged})`);

	// ---- the admin: mode and level with a reason ----
	const aerr = [];
	const admin = await browser.createBrowserContext();
	const ap = await newPage(admin, aerr);
	await signIn(ap, env.TOKEN_ADMIN);
	await ap.waitForSelector('#level-in');
	await ap.$eval('#level-in', (e) => { e.value = '0'; });
	await ap.click('#level-in + button');
	await answer(ap, 'console test: back to normal');
	await ap.waitForFunction(() => document.querySelector('#level').textContent.startsWith('0 '),
	    {timeout: 3000}).catch(() => {});
	check((await gatectl('status')).level.number === 0, 'an admin sets the level from the page');
	check(aerr.length === 0, `no console errors on the admin's page${aerr.length ? ': ' + aerr.join(' | ') : ''}`);

	// ---- sign out ----
	await page.click('#signout');
	await page.waitForSelector('#signin:not([hidden])', {visible: true});
	const after = await page.evaluate(() => fetch('/v1/status').then((r) => r.status));
	check(after === 401, `signed out: the cookie is worth nothing (${after})`);
}

main().catch((e) => {
	console.log(`FAIL: the browser test: ${e.stack || e}`);
	process.exit(1);
});

// console-hub.mjs: the hub's campus page in a real browser (Debian's
// chromium through puppeteer-core), against the gated-hub, Mosquitto and
// two gates that tests/integration/console-hub.sh started.  PASS:/FAIL:
// lines; the shell script counts them.  Environment: URL (the hub), ART
// (screenshots), GATECTL and SOCK_NORTH (gate north's local socket, for
// cards and alerts on north's page through the hub), KILL_PID (gate south, killed to go offline), TOKEN_GUARD,
// TOKEN_VIEWER, TOKEN_HEALTH, TOKEN_ADMIN.
import {answer, check, checkContrast, checkScreen, gatectlAt, newPage, signInAt,
    withBrowser} from './common.mjs';

const env = process.env;
const URL = env.URL;

const north = (...args) => gatectlAt(env.SOCK_NORTH, ...args);

const signIn = (page, token) => signInAt(page, URL, token, '#gate-list .gate');

const until = (page, fn, arg, timeout = 5000) =>
	page.waitForFunction(fn, {timeout, polling: 100}, arg).then(() => true, () => false);

const SIZES = [[1024, 600], [390, 844], [1440, 900]];

const gateOnline = (g) => document.querySelector(`.gate[data-gate="${g}"]`)?.dataset.online;
const events = (g) => Number(document.querySelector(`.gate[data-gate="${g}"] .events`)?.textContent);

async function scenarios(browser) {
	const errors = [];
	const guard = await browser.createBrowserContext();
	const page = await newPage(guard, errors);

	// ---- the guard signs in: both gates online ----
	await signIn(page, env.TOKEN_GUARD);
	const both = await until(page, () => ['north', 'south'].every((g) =>
	    document.querySelector(`.gate[data-gate="${g}"]`)?.dataset.online === 'yes'));
	check(both, 'the campus page lists north and south, online');
	check((await page.$eval('#summary', (e) => e.textContent)).includes('2 gates, 2 online'),
	    'the summary says 2 gates, 2 online');

	// ---- a card at north: its count moves within seconds ----
	const before = await page.evaluate(events, 'north');
	const t0 = Date.now();
	await north('sim', 'card', 'ped-in', '1001');
	const moved = await until(page, ([g, n]) =>
	    Number(document.querySelector(`.gate[data-gate="${g}"] .events`)?.textContent) > n,
	    ['north', before], 5000);
	check(moved, `a card at north shows on the campus page (${Date.now() - t0} ms)`);

	// ---- a fever at north: an alert with Acknowledge for the guard ----
	await north('level', 'set', '1', '--reason', 'campus page test: temperatures');
	await north('sim', 'temp', 'therm', '36.7');
	await north('sim', 'card', 'ped-in', '1003', '--temp', '38.6');
	const alerted = await until(page, () =>
	    document.querySelector('#alert-list .alert button.ack') !== null, null, 8000);
	check(alerted, 'the fever alert appears with an Acknowledge button for a guard');
	check(await page.$eval('.gate[data-gate="north"] .count', (e) => e.textContent) === '1',
	    "north's card counts the alert");
	await page.screenshot({path: `${env.ART}/campus-alert-1024x600.png`, fullPage: true});

	// ---- a viewer: the alert, no button, no contact tracing ----
	const vctx = await browser.createBrowserContext();
	const verr = [];
	const vp = await newPage(vctx, verr);
	await signIn(vp, env.TOKEN_VIEWER);
	await until(vp, () => document.querySelector('#alert-list .alert') !== null);
	check(await vp.$('#alert-list .alert') !== null, 'a viewer sees the alert');
	check(await vp.$('button.ack') === null, 'a viewer is offered no Acknowledge button');
	check(await vp.$('#contact-form') === null, 'a viewer is offered no contact tracing');
	check(await vp.$('#campus-level-form') === null, 'a viewer is offered no campus level');
	check(await vp.$('select[data-mode]') === null, 'a viewer is offered no mode');
	check(await vp.$('#people-form') === null, 'a viewer is offered no people search');
	await vp.screenshot({path: `${env.ART}/campus-viewer-1024x600.png`, fullPage: true});
	check(verr.length === 0, `no console errors on the viewer's page${verr.length ? ': ' + verr.join(' | ') : ''}`);
	await vctx.close();

	// ---- the guard acknowledges it, with a reason ----
	if (alerted) {
		await page.click('#alert-list button.ack');
		await answer(page, 'fever checked from the campus page');
		check(await until(page, () => document.querySelector('#alert-list .alert') === null),
		    'the acknowledged alert leaves the page');
		check(await until(page, () => document.querySelector(
		    '.gate[data-gate="north"] .count')?.textContent === '0'),
		    "north's card counts no open alert once it is acknowledged");
	}
	check(await page.$('#contact-form') === null, 'a guard is offered no contact tracing');
	check(await page.$('#campus-level-form') === null, 'a guard is offered no campus level');
	check(await page.$('select[data-mode]') === null, 'a guard is offered no mode');
	const seen = errors.length;
	const forged = await page.evaluate(async () => {
		const s = await (await fetch('/v1/session')).json();
		return fetch('/v1/campus/mode', {method: 'POST', headers: {'Content-Type':
		    'application/json', 'X-CSRF-Token': s.csrf}, body: JSON.stringify({gate: 'north',
		    mode: 'closed', reason: 'forged by a guard'})}).then((r) => r.status);
	});
	check(forged === 403, `a guard's forged mode change, with its CSRF token, is refused (${forged})`);
	// The browser logs that 403 as an error: it was asked for.
	errors.splice(seen, errors.filter((e, i) => i >= seen && e.includes('403')).length);

	// ---- the guard searches a person ----
	check(await page.$('#people-form') !== null, 'a guard is offered the people search');
	await page.type('#people-q', 'wang');
	await page.click('#people-form button[type=submit]');
	check(await until(page, () => document.querySelector('#people-result tr[data-person="S1002"]') !== null),
	    'the guard finds Wang Tao (S1002) by a part of the name');
	check(await page.$eval('#people-result tr[data-person="S1002"]', (r) => r.textContent.includes('1002') &&
	    r.textContent.includes('student')) === true, 'the row has the card and the role');
	check(await page.$('button[data-quarantine]') === null, 'a guard is offered no quarantine button');

	// ---- the report's charts: SVG with bars, following the events ----
	check(await until(page, () => /[1-9]\d* denied/.test(document.querySelector('#totals').textContent),
	    null, 8000), 'the report follows the events without a reload (the fever is a denial)');
	await page.reload({waitUntil: 'networkidle2'});
	const bars = await until(page, () =>
	    document.querySelectorAll('#chart-hourly svg rect.bar-part').length > 0 &&
	    document.querySelectorAll('#chart-denials svg rect.bar-part').length > 0);
	check(bars, 'the report draws passages per hour and denials by reason as SVG bars');
	const denial = await page.$$eval('#chart-denials svg rect title', (t) => t.map((x) => x.textContent).join(' | '));
	check(denial.includes('fever'), `the denials chart has the fever (${denial})`);

	// ---- health: contact tracing, with a reason ----
	const hctx = await browser.createBrowserContext();
	const herr = [];
	const hp = await newPage(hctx, herr);
	await signIn(hp, env.TOKEN_HEALTH);
	check(await hp.$('#contact-form') !== null, 'health is offered contact tracing');
	await hp.type('#person', '1001');
	await hp.type('#why', 'campus page test');
	await hp.click('#contact-form button[type=submit]');
	check(await until(hp, () => document.querySelector('#contact-result').textContent.length > 0),
	    'the contact query answers on the page');
	await hp.screenshot({path: `${env.ART}/campus-health-1024x600.png`, fullPage: true});
	check(await hp.$('#campus-level-form') === null, 'health is offered no campus level');
	check(await hp.$('select[data-mode]') === null, 'health is offered no mode');
	await hp.type('#people-q', 'S1002');
	await hp.click('#people-form button[type=submit]');
	await hp.waitForSelector('button[data-quarantine="S1002"]', {timeout: 5000}).catch(() => {});
	check(await hp.$('button[data-quarantine="S1002"]') !== null, 'health is offered the quarantine button');
	if (await hp.$('button[data-quarantine="S1002"]') !== null) {
		await hp.click('button[data-quarantine="S1002"]');
		await answer(hp, 'quarantine from the campus page');
		check(await until(hp, () => document.querySelector('#people-result tr[data-person="S1002"]')
		    ?.textContent.includes('QUARANTINED (campus)')), 'the row says QUARANTINED (campus), in words');
	}
	check(herr.length === 0, `no console errors on the health page${herr.length ? ': ' + herr.join(' | ') : ''}`);
	await hctx.close();

	// ---- admin: the campus level, signed by the hub, taken by north ----
	const actx = await browser.createBrowserContext();
	const aerr = [];
	const ap = await newPage(actx, aerr);
	await signIn(ap, env.TOKEN_ADMIN);
	check(await ap.$('#campus-level-form') !== null, 'an admin is offered the campus level');
	await ap.select('#campus-level-in', '2');
	await ap.click('#campus-level-form button[type=submit]');
	await answer(ap, 'level from the campus page');
	check(await until(ap, () => /^Level 2\b/.test(Array.from(document.querySelectorAll(
	    '.gate[data-gate="north"] div')).map((d) => d.textContent).find((t) => t.startsWith('Level ')) || ''),
	    null, 8000), "north's card shows level 2 once north took the hub's command");

	// ---- admin: north's mode from its card, signed by the hub ----
	check(await ap.$('select[data-mode="north"]') !== null, "an admin is offered north's mode");
	await ap.select('select[data-mode="north"]', 'open');
	await ap.click('button[data-set-mode="north"]');
	await answer(ap, 'mode from the campus page');
	const tm = Date.now();
	const applied = await until(ap, () => /^Mode open$/.test(Array.from(document.querySelectorAll(
	    '.gate[data-gate="north"] div')).map((d) => d.textContent).find((t) => t.startsWith('Mode ')) || ''),
	    null, 8000);
	check(applied, `north's card shows mode open once north took the hub's command (${Date.now() - tm} ms)`);
	const st = await ap.evaluate(() => fetch('/v1/campus/gates').then((r) => r.json()));
	const n = st.gates.find((g) => g.gate === 'north');
	check(n.mode === 'open' && n.campus_applied && n.campus_applied['north/mode'] > 0,
	    `north's retained state: mode ${n.mode}, campus_applied ${JSON.stringify(n.campus_applied)}`);
	// The mode from north's page through the hub: the hub's signed command.
	await ap.click('a[data-drill="north"]');
	await ap.waitForSelector('#mode-in', {timeout: 5000}).catch(() => {});
	if (await ap.$('#mode-in') !== null) {
		await ap.$eval('#mode-in', (e) => { e.value = 'pedestrian-only'; });
		await ap.click('#mode-in ~ button');
		await answer(ap, 'mode from the drill-down page');
		check(await until(ap, () => document.querySelector('#mode').textContent
		    .startsWith('pedestrian-only'), null, 8000),
		    "an admin sets north's mode from its page through the hub");
	} else
		check(false, "an admin is offered the mode on north's page through the hub");
	check(aerr.length === 0, `no console errors on the admin's page${aerr.length ? ': ' + aerr.join(' | ') : ''}`);
	await actx.close();

	// ---- the people search at three sizes ----
	await page.$eval('#people-q', (e) => { e.value = ''; });
	await page.type('#people-q', 'a');
	await page.click('#people-form button[type=submit]');
	await until(page, () => document.querySelectorAll('#people-result tbody tr').length >= 2);
	for (const [w, h] of SIZES) {
		await page.setViewport({width: w, height: h});
		await checkScreen(browser, page, `people ${w}x${h}`, `${env.ART}/people-${w}x${h}.png`,
		    ['#people-form', '#people-result table', '#people-result tr[data-person="S1002"]'],
		    '#campus-people');
	}
	await page.setViewport({width: 1024, height: 600});
	await checkContrast(page, 'the people search', ['#people-result td', '#people-result th',
	    '#people-form label', 'button.primary', 'a.drill']);

	// ---- drill down: north's page through the hub ----
	await page.click('a[data-drill="north"]');
	await page.waitForSelector('#via a[data-back]', {timeout: 5000}).catch(() => {});
	check(page.url().endsWith('/console/index.html?gate=north'), `a click on north opens its page (${page.url()})`);
	check(await until(page, () => document.querySelector('#title')?.textContent === 'north'),
	    "the page is north's");
	check(await until(page, () => /online/.test(document.querySelector('#via')?.textContent || '')),
	    'it says north is online, through the hub');
	check(await page.$('button[data-open]') === null, 'no open-once button through the hub');
	check(/not offered through the hub/.test(await page.$eval('#no-open', (e) => e.textContent)),
	    'the page says why open-once is not there');
	check(await until(page, () => document.querySelectorAll('#passage-rows tr').length > 0),
	    "north's passages from the hub's journal");
	await until(page, () => document.querySelector('#live')?.textContent === 'live');
	const rows = () => Math.max(0, ...Array.from(document.querySelectorAll('#passage-rows tr'))
	    .map((r) => Number(r.dataset.event)));
	const newest = await page.evaluate(rows);
	// North is at level 2 (temperatures): the card comes with one.
	const tc = Date.now();
	await north('sim', 'card', 'ped-in', '1001', '--temp', '36.6');
	const shown = await until(page, (n) => Math.max(0, ...Array.from(document
	    .querySelectorAll('#passage-rows tr')).map((r) => Number(r.dataset.event))) > n, newest, 3000);
	const ms = Date.now() - tc;
	console.log(`card to row on north's page through the hub: ${ms} ms`);
	check(shown && ms < 1000, `a card at north is a row on its page through the hub within 1 s (${ms} ms)`);

	// A fever at north: the alert on its page, acknowledged there.
	await north('sim', 'temp', 'therm', '36.7');
	await north('sim', 'card', 'ped-in', '1003', '--temp', '38.7');
	const alert = await until(page, () => document.querySelector('#alert-list button[data-ack]') !== null,
	    null, 8000);
	check(alert, "the fever alert on north's page, with Acknowledge");
	for (const [w, h] of SIZES) {
		await page.setViewport({width: w, height: h});
		await checkScreen(browser, page, `north through the hub ${w}x${h}`,
		    `${env.ART}/drill-north-${w}x${h}.png`, ['header h1', '#via', '#lanes', '#alerts',
		    '#passages', '#no-open', 'a[data-back]']);
	}
	await page.setViewport({width: 1024, height: 600});
	await checkContrast(page, "north's page through the hub", ['body', '.who', '.lane-state',
	    '.verdict.ok', '.verdict.no', 'th', '.kind', '#via', 'a.back', '#alert-list button']);
	if (alert) {
		await page.click('#alert-list button[data-ack]');
		await answer(page, 'fever acked on the drill-down page');
		check(await until(page, () => document.querySelector('#alert-list button[data-ack]') === null),
		    "the acknowledged alert leaves north's page");
	}
	await page.click('a[data-back]');
	await page.waitForSelector('#gate-list .gate');

	// A viewer's drill-down: the page, no button.
	const v2 = await browser.createBrowserContext();
	const v2err = [];
	const v2p = await newPage(v2, v2err);
	await signInAt(v2p, URL, env.TOKEN_VIEWER, '#gate-list .gate');
	await v2p.click('a[data-drill="north"]');
	await v2p.waitForSelector('#via', {timeout: 5000}).catch(() => {});
	check(await until(v2p, () => document.querySelectorAll('#passage-rows tr').length > 0),
	    "a viewer sees north's passages through the hub");
	check((await v2p.$$('main button')).length === 0, "a viewer's drill-down has no button");
	check(v2err.length === 0, `no console errors on the viewer's drill-down${v2err.length ? ': ' + v2err.join(' | ') : ''}`);
	await v2.close();

	// ---- south killed: offline on the page (the broker's will) ----
	const tk = Date.now();
	process.kill(Number(env.KILL_PID), 'SIGKILL');
	const off = await until(page, () =>
	    document.querySelector('.gate[data-gate="south"]')?.dataset.online === 'no', null, 20000);
	check(off, `south killed shows OFFLINE on the page (${Date.now() - tk} ms)`);
	check(await page.evaluate(gateOnline, 'north') === 'yes', 'north stays online');

	for (const [w, h] of SIZES) {
		await page.setViewport({width: w, height: h});
		await new Promise((r) => setTimeout(r, 300));
		await page.screenshot({path: `${env.ART}/campus-${w}x${h}.png`, fullPage: true});
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		check(wide <= w, `${w}x${h}: no sideways scrolling (${wide} px)`);
	}
	check(errors.length === 0, `no console errors on the guard's page${errors.length ? ': ' + errors.join(' | ') : ''}`);
}

async function main() {
	await withBrowser(scenarios);
}

main().catch((e) => {
	console.log(`FAIL: the browser test: ${e.stack || e}`);
	process.exit(1);
});

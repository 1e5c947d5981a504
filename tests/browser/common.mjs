// common.mjs: what the browser tests share (console.mjs on a gate,
// console-hub.mjs on the hub): PASS:/FAIL: lines and their count, a page
// that records what the browser says went wrong, the reason dialog
// answered from the keyboard, gatectl on a gate's socket, and Debian's
// chromium launched.
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import puppeteer from 'puppeteer-core';

const run = promisify(execFile);

export const results = {failures: 0};

export function check(ok, name) {
	console.log(`${ok ? 'PASS' : 'FAIL'}: ${name}`);
	if (!ok)
		results.failures++;
	return ok;
}

// gatectl --json on a gate's socket; a denied card exits 1 with its
// answer all the same.
export async function gatectlAt(sock, ...args) {
	try {
		const {stdout} = await run(process.env.GATECTL, ['-s', sock, '--json', ...args]);
		return JSON.parse(stdout);
	} catch (e) {
		if (e.stdout)
			return JSON.parse(e.stdout);
		throw e;
	}
}

// A page that records the browser's errors in errors, 1024x600.
export async function newPage(ctx, errors) {
	const page = await ctx.newPage();
	page.on('console', (m) => {
		if (m.type() === 'error')
			errors.push(`console: ${m.text()}`);
	});
	page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
	page.on('requestfailed', (r) => {
		// The event stream is cut when the page goes: not an error.
		if (!r.url().includes('/v1/events/stream'))
			errors.push(`request: ${r.url()} ${r.failure()?.errorText}`);
	});
	await page.setViewport({width: 1024, height: 600});
	return page;
}

// Signs in on the page at url with token, from the keyboard; ready: what
// the page shows once it has its data.
export async function signInAt(page, url, token, ready) {
	await page.goto(url + '/', {waitUntil: 'networkidle2'});
	await page.waitForSelector('#signin:not([hidden]) #token', {visible: true});
	await page.type('#token', token);
	await page.keyboard.press('Enter');
	await page.waitForSelector('#app:not([hidden])', {visible: true});
	await page.waitForSelector(ready);
}

// Answers the page's reason dialog from the keyboard: the reason, Enter.
export async function answer(page, reason) {
	await page.waitForSelector('#reason-dialog[open] #reason', {visible: true});
	await page.type('#reason', reason);
	await page.keyboard.press('Enter');
}

// Runs scenarios(browser) in a headless chromium, then the last line.
export async function withBrowser(scenarios) {
	const browser = await puppeteer.launch({
		executablePath: '/usr/bin/chromium',
		headless: true,
		// The test's certificate is thrown away with it; root needs no sandbox.
		args: ['--no-sandbox', '--ignore-certificate-errors',
		    '--disable-gpu', '--disable-dev-shm-usage'],
	});
	try {
		await scenarios(browser);
	} finally {
		await browser.close();
	}
	const f = results.failures;
	console.log(`${f === 0 ? 'PASS' : 'FAIL'}: the browser test ran to its end (${f} failed)`);
}

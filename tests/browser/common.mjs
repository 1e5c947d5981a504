// common.mjs: what the browser tests share (console.mjs on a gate,
// console-hub.mjs on the hub): PASS:/FAIL: lines and their count, a page
// that records what the browser says went wrong, the reason dialog
// answered from the keyboard, gatectl on a gate's socket, a screenshot's
// checks (pixel variance, contrast) and Debian's chromium launched.
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

// Pixel variance of a PNG, measured in a blank page of its own.
async function variance(browser, png) {
	const p = await browser.newPage();
	const v = await p.evaluate(async (b64) => {
		const img = new Image();
		img.src = 'data:image/png;base64,' + b64;
		await img.decode();
		const c = document.createElement('canvas');
		c.width = img.width;
		c.height = img.height;
		const g = c.getContext('2d');
		g.drawImage(img, 0, 0);
		const d = g.getImageData(0, 0, c.width, c.height).data;
		let n = 0, sum = 0, sq = 0;
		for (let i = 0; i < d.length; i += 4) {
			const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
			sum += y;
			sq += y * y;
			n++;
		}
		return sq / n - (sum / n) ** 2;
	}, Buffer.from(png).toString('base64'));
	await p.close();
	return v;
}

// The contrast of an element's text on the background behind it.
async function contrasts(page, selectors) {
	return page.evaluate((sels) => {
		const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
		const lum = ([r, g, b]) => {
			const f = (c) => {
				c /= 255;
				return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
			};
			return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
		};
		const out = {};
		for (const s of sels) {
			const e = document.querySelector(s);
			if (!e) {
				out[s] = null;
				continue;
			}
			let b = e, bg = null;
			while (b) {
				const c = rgb(getComputedStyle(b).backgroundColor);
				if (c.length === 3 || (c.length === 4 && c[3] > 0)) {
					bg = c.slice(0, 3);
					break;
				}
				b = b.parentElement;
			}
			bg = bg || [255, 255, 255];
			const fg = rgb(getComputedStyle(e).color).slice(0, 3);
			const [l1, l2] = [lum(fg), lum(bg)].sort((x, y) => y - x);
			out[s] = (l1 + 0.05) / (l2 + 0.05);
		}
		return out;
	}, selectors);
}

// A screenshot at width x height in file, checked as every page's are: not
// blank, the key elements shown, no sideways scrolling, every button and
// link 48 px or more.  at: the element scrolled to the top (the page's
// top when none).
export async function checkScreen(browser, page, name, file, keys, at) {
	await page.evaluate((sel) => {
		document.activeElement.blur();
		if (sel)
			document.querySelector(sel).scrollIntoView();
		else
			scrollTo(0, 0);
	}, at);
	await new Promise((r) => setTimeout(r, 300));
	const png = await page.screenshot({path: file});
	const v = await variance(browser, png);
	check(v > 100, `${name}: the screenshot is not blank (variance ${v.toFixed(0)})`);
	const vis = await page.evaluate((ks) => ks.map((s) => {
		const e = document.querySelector(s);
		const r = e && e.getBoundingClientRect();
		return [s, !!r && r.width > 0 && r.height > 0 &&
		    getComputedStyle(e).visibility !== 'hidden'];
	}), keys);
	check(vis.every(([, ok]) => ok), `${name}: the key elements are shown: ` +
	    vis.map(([s, ok]) => `${s} ${ok ? 'yes' : 'NO'}`).join(', '));
	const over = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
	check(over <= 0, `${name}: no sideways scrolling (${over} px too wide)`);
	const small = await page.$$eval('button, a', (bs) => bs.filter((b) => {
		const r = b.getBoundingClientRect();
		return r.width > 0 && (r.height < 48 || r.width < 48);
	}).map((b) => b.textContent));
	check(small.length === 0, `${name}: every button and link is 48 px or more (${small.join(', ') || 'all'})`);
}

// Contrast of 4.5:1 or more for the selectors found on the page.
export async function checkContrast(page, what, selectors) {
	const c = await contrasts(page, selectors);
	const low = Object.entries(c).filter(([, r]) => r !== null && r < 4.5);
	check(low.length === 0, `${what}: contrast 4.5:1 or more: ` + Object.entries(c)
	    .map(([sel, r]) => `${sel} ${r === null ? '-' : r.toFixed(1)}`).join(', '));
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

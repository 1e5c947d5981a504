// chart.js: bar charts as plain SVG, no library: the campus report's
// passages per hour (granted and denied stacked) and denials by reason.
// Colours come from style.css's classes (the CSP allows no inline style);
// every bar has a <title> with its numbers, and the chart a text summary,
// so the figures are there without the picture too.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
	const e = document.createElementNS(NS, tag);
	for (const [k, v] of Object.entries(attrs))
		e.setAttribute(k, String(v));
	for (const c of children)
		e.append(typeof c === 'string' ? document.createTextNode(c) : c);
	return e;
}

// rows: [{label, parts: [{value, cls, name}]}]: one bar per row, its parts
// stacked.  A fixed viewBox scaled to the width of its container.
export function barChart(title, rows, {labelEvery = 1} = {}) {
	const W = 640, H = 200, left = 36, bottom = 40, top = 10;
	const max = Math.max(1, ...rows.map((r) =>
	    r.parts.reduce((s, p) => s + p.value, 0)));
	const n = Math.max(rows.length, 1);
	const step = (W - left - 4) / n;
	const bw = Math.min(48, Math.max(2, step * 0.7));
	const y = (v) => top + (H - top - bottom) * (1 - v / max);
	const g = svg('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img',
	    class: 'chart', 'aria-label': title});
	g.append(svg('title', {}, title));
	g.append(svg('line', {x1: left, x2: W, y1: y(0), y2: y(0),
	    class: 'axis'}));
	g.append(svg('text', {x: left - 4, y: y(max) + 5, class: 'tick',
	    'text-anchor': 'end'}, String(max)));
	g.append(svg('text', {x: left - 4, y: y(0), class: 'tick',
	    'text-anchor': 'end'}, '0'));
	rows.forEach((r, i) => {
		const x = left + i * step + (step - bw) / 2;
		let base = 0;
		for (const p of r.parts) {
			if (p.value <= 0)
				continue;
			g.append(svg('rect', {x: x.toFixed(1),
			    y: y(base + p.value).toFixed(1), width: bw.toFixed(1),
			    height: (y(base) - y(base + p.value)).toFixed(1),
			    class: `bar-part ${p.cls}`},
			    svg('title', {}, `${r.label}: ${p.value} ${p.name}`)));
			base += p.value;
		}
		if (i % labelEvery === 0)
			g.append(svg('text', {x: (x + bw / 2).toFixed(1),
			    y: H - bottom + 16, class: 'tick',
			    'text-anchor': 'middle'}, r.label));
	});
	return g;
}

// Passages per hour: the report's hourly rows (per gate, lane, direction)
// summed by hour.
export function hourlyChart(hourly) {
	const by = new Map();
	for (const h of hourly || []) {
		const k = h.hour;
		const v = by.get(k) || {granted: 0, denied: 0};
		v.granted += h.granted || 0;
		v.denied += h.denied || 0;
		by.set(k, v);
	}
	const rows = [...by.keys()].sort().map((k) => ({
		label: k.slice(11, 13) + 'h',
		parts: [{value: by.get(k).granted, cls: 'granted', name: 'granted'},
		    {value: by.get(k).denied, cls: 'denied', name: 'denied'}]}));
	return barChart('Passages per hour: granted and denied', rows,
	    {labelEvery: Math.ceil(rows.length / 12) || 1});
}

// Denials by reason, the most frequent first.
export function denialsChart(denials) {
	const rows = (denials || []).map((d) => ({label: d.reason || '?',
	    parts: [{value: d.count, cls: 'denied', name: 'denied'}]}));
	return barChart('Denials by reason', rows);
}

// campus.js: the hub's campus page.  Every gate from GET /v1/campus/gates
// ([{gate, online, level, mode, alerts, last_seen_ms, people_version,
// gap}]): online or not in words, its level, mode and active alerts;
// the active alerts (acknowledged with a reason by a guard and up); the
// campus report of today with its two charts (chart.js); each gate's name
// a link to its own page through the hub (gate.js); contact tracing
// for health and admin; the campus level for admin.  The gates and
// alerts are read every second and at once on each event of the hub's
// stream; the report every 30 s and after an event (at most every 5 s).
// What the role may not do is not offered (the hub refuses it anyway).
import {$, el, fill, update, clock, say, askReason} from './ui.js';
import {api, can, MODES} from './api.js';
import {frame, follow, signedIn, showUser} from './signin.js';
import {hourlyChart, denialsChart} from './chart.js';

let me = null;

function levelText(l) {
	if (l === null || l === undefined)
		return '–';
	if (typeof l === 'object')
		return `${l.number}${l.name ? ' · ' + l.name : ''}`;
	return String(l);
}

// open: the campus's active alerts of the gate, the hub's (an
// acknowledgement at the hub closes one at once, before the gate has it
// or when the hub has no key to forward it, hub/alerts-forward.c; the
// gate's own count in g.alerts comes with its next state: it would
// contradict the list).
function gateCard(g, open) {
	const alerts = open;
	return el('li', {class: `gate ${g.online ? 'online' : 'offline'}`,
	    'data-gate': g.gate, 'data-online': g.online ? 'yes' : 'no'},
	    el('div', {class: 'lane-head'}, el('a', {class: 'drill',
		href: `/console/index.html?gate=${encodeURIComponent(g.gate)}`,
		'data-drill': g.gate, title: `${g.gate}'s page`}, g.gate),
		el('span', {class: `pill ${g.online ? 'on' : 'off'} state-word`},
		    g.online ? '● online' : '○ OFFLINE')),
	    el('div', {}, `Level ${levelText(g.level)}`),
	    el('div', {}, `Mode ${g.mode ?? '–'}`),
	    el('div', {}, el('span', {class: alerts > 0 ? 'count hot' : 'count'},
		String(alerts)), alerts === 1 ? ' alert' : ' alerts'),
	    el('div', {class: 'kind'}, g.last_seen_ms ?
		`last seen ${clock(g.last_seen_ms)}` : 'never seen'),
	    el('div', {class: 'kind'}, 'events ',
		el('span', {class: 'events'}, String(g.max_id ?? 0))),
	    g.gap ? el('div', {class: 'kind'}, `missing events: ${g.gap}`) : null,
	    can(me.role, 'admin') ? modeForm(g) : null);
}

// A gate's mode, for an admin only: the hub signs it with its own key and
// publishes it (POST /v1/campus/mode, journaled with the reason); the
// card's "Mode" line changes once the gate has taken it.
async function setMode(ev, gate) {
	ev.preventDefault();
	const mode = ev.target.mode.value;
	const reason = await askReason(`Set ${gate}'s mode to ${mode}`,
	    'Set mode');
	if (reason === null)
		return;
	try {
		const r = await api('POST', '/v1/campus/mode', {gate, mode, reason});
		say(`Mode ${r.value} sent to ${r.target} (seq ${r.seq}).`);
		refresh();
	} catch (e) {
		say(`Mode: ${e.message}`, true);
	}
}

// Each gate's mode form, kept from one drawing of the cards to the next:
// the page redraws a card when its counts move, and a choice being made
// must survive that.
const modeForms = new Map();
function modeForm(g) {
	let f = modeForms.get(g.gate);
	if (f === undefined) {
		const id = `mode-${g.gate}`;
		f = el('form', {class: 'ctl mode-form', 'data-mode-gate': g.gate,
		    onsubmit: (ev) => setMode(ev, g.gate)},
		    el('label', {for: id}, 'Mode'),
		    el('select', {id, name: 'mode', 'data-mode': g.gate}),
		    el('button', {type: 'submit', 'data-set-mode': g.gate},
			'Set mode'));
		modeForms.set(g.gate, f);
	}
	// The gate's own modes are not in its state: the built-in ones and
	// the one it runs now.
	const sel = f.querySelector('select');
	for (const m of [...MODES, g.mode].filter((m) => m))
		if (![...sel.options].some((o) => o.value === m))
			sel.append(el('option', {value: m, selected: m === g.mode},
			    m));
	return f;
}

async function ack(a) {
	const reason = await askReason(`Acknowledge ${a.reason} at ${a.gate}`,
	    'Acknowledge');
	if (!reason)
		return;
	try {
		await api('POST', `/v1/alerts/${encodeURIComponent(a.gate)}/` +
		    `${encodeURIComponent(a.id)}/ack`, {reason});
		say(`Alert ${a.gate}/${a.id} acknowledged.`);
	} catch (e) {
		say(`Acknowledge: ${e.message}`, true);
	}
	refresh();
}

function alertItem(a) {
	return el('li', {class: 'alert', 'data-alert': `${a.gate}/${a.id}`},
	    el('div', {class: 'lane-head'},
		el('strong', {}, `${a.gate} · ${a.reason}`),
		el('span', {class: 'when'}, a.ts_ms ? clock(a.ts_ms) : '')),
	    a.lane ? el('div', {class: 'kind'}, `lane ${a.lane}`) : null,
	    a.detail ? el('div', {class: 'detail'}, a.detail) : null,
	    can(me.role, 'guard') ? el('button', {type: 'button',
		class: 'primary ack', 'data-ack': `${a.gate}/${a.id}`,
		onclick: () => ack(a)}, 'Acknowledge') : null);
}

async function refresh() {
	try {
		const gates = await api('GET', '/v1/campus/gates');
		const list = Array.isArray(gates) ? gates : gates.gates || [];
		const online = list.filter((g) => g.online).length;
		$('#summary').textContent = `${list.length} gates, ${online} ` +
		    `online, ${list.length - online} offline`;
		const al = (await api('GET', '/v1/alerts')).alerts || [];
		const open = (g) => al.filter((a) => a.gate === g.gate).length;
		update($('#gate-list'), list.map((g) => [g, open(g)]),
		    (l) => l.map(([g, n]) => gateCard(g, n)));
		update($('#alert-list'), al, (l) => l.length ? l.map(alertItem) :
		    el('li', {class: 'none'}, 'No active alert.'));
	} catch (e) {
		if (e.status === 401)
			location.reload();
		say(`Campus: ${e.message}`, true);
	}
}

let reported = 0;

async function report() {
	reported = Date.now();
	try {
		const r = await api('GET', '/v1/report?format=json');
		const t = r.totals || {};
		$('#totals').textContent = `Today: ${t.passages ?? 0} passages, ` +
		    `${t.granted ?? 0} granted, ${t.denied ?? 0} denied, ` +
		    `${t.alerts ?? 0} alerts`;
		fill($('#chart-hourly'), hourlyChart(r.hourly));
		fill($('#chart-denials'), (r.denials || []).length ?
		    denialsChart(r.denials) :
		    el('p', {class: 'none'}, 'No denial today.'));
	} catch (e) {
		say(`Report: ${e.message}`, true);
	}
}

// The report after an event: now, or when 5 s have passed since the last.
let soon = null;
function reportSoon() {
	if (soon !== null)
		return;
	soon = setTimeout(() => {
		soon = null;
		report();
	}, Math.max(0, 5000 - (Date.now() - reported)));
}

function contactRows(c) {
	if (!c.contacts.length)
		return el('p', {class: 'none'}, `${c.passages.length} passages, ` +
		    'no contact.');
	return el('table', {},
	    el('thead', {}, el('tr', {}, el('th', {}, 'Person'),
		el('th', {}, 'Times'), el('th', {}, 'Where, when'))),
	    el('tbody', {}, c.contacts.map((x) => el('tr', {},
		el('td', {}, x.person), el('td', {}, String(x.times)),
		el('td', {}, x.meetings.map((m) =>
		    `${m.gate} ${m.lane} ${m.time}`).join('; '))))));
}

async function trace(ev) {
	ev.preventDefault();
	const f = ev.target;
	const q = new URLSearchParams({person: f.person.value.trim(),
	    days: f.days.value, reason: f.why.value.trim(), format: 'json'});
	try {
		const c = await api('GET', `/v1/contacts?${q}`);
		fill($('#contact-result'), contactRows(c));
		say(`Contacts of ${c.person}: journaled with your name.`);
	} catch (e) {
		say(`Contacts: ${e.message}`, true);
	}
}

// The campus level, for an admin only: the hub signs it with its own key
// and publishes it (POST /v1/campus/level, journaled with the reason);
// each gate's card shows the level once the gate has taken it.
async function setLevel(ev) {
	ev.preventDefault();
	const level = Number($('#campus-level-in').value);
	const reason = await askReason(`Set the campus level to ${level}`,
	    'Set level');
	if (reason === null)
		return;
	try {
		const r = await api('POST', '/v1/campus/level', {level, reason});
		say(`Campus level ${r.value} sent to the gates (seq ${r.seq}).`);
		refresh();
	} catch (e) {
		say(`Level: ${e.message}`, true);
	}
}

function levelPanel() {
	const levels = [...Array(10).keys()];
	return el('section', {class: 'panel', id: 'campus-level'},
	    el('h2', {}, 'Campus level'),
	    el('form', {id: 'campus-level-form', class: 'controls',
		onsubmit: setLevel},
		el('div', {class: 'ctl'}, el('label', {for: 'campus-level-in'},
		    'Level'),
		    el('select', {id: 'campus-level-in', name: 'level'},
			levels.map((n) => el('option', {value: n}, String(n))))),
		el('div', {class: 'row'}, el('button', {type: 'submit',
		    class: 'primary'}, 'Set campus level'))));
}

// People search, for a guard and up (GET /v1/people?q=: the hub's latest
// list); for health and admin, each person's campus quarantine on or off
// with a reason (POST /v1/people/PERSON/quarantine, signed, published).
// Quarantine is a word in its column, not a colour.
let lastSearch = null;

function quarantineText(p) {
	if (p.campus_quarantine)
		return 'QUARANTINED (campus)';
	return p.flags.includes('quarantine') ? 'QUARANTINED (list)' :
	    'not quarantined';
}

async function quarantine(p) {
	const on = !p.campus_quarantine;
	const reason = await askReason(`${on ? 'Quarantine' : 'End the ' +
	    'quarantine of'} ${p.person}`, on ? 'Quarantine' : 'End quarantine');
	if (reason === null)
		return;
	try {
		const r = await api('POST', '/v1/people/' +
		    `${encodeURIComponent(p.person)}/quarantine`, {on, reason});
		say(`${r.person}: campus quarantine ${r.on ? 'on' : 'off'}` +
		    `${r.changed ? '' : ' already'}.`);
	} catch (e) {
		say(`Quarantine: ${e.message}`, true);
	}
	search(lastSearch);
}

function peopleRows(r) {
	if (!r.people.length)
		return el('p', {class: 'none'}, r.version ? 'Nobody found in ' +
		    `list version ${r.version}.` : 'The hub holds no people list.');
	const health = can(me.role, 'health');
	return el('table', {},
	    el('thead', {}, el('tr', {}, el('th', {}, 'Person'),
		el('th', {}, 'Card'), el('th', {}, 'Role, flags'),
		el('th', {}, 'Quarantine'), health ? el('th', {}, '') : null)),
	    el('tbody', {}, r.people.map((p) => el('tr', {'data-person': p.person},
		el('td', {}, el('strong', {}, p.person), ` ${p.name}`),
		el('td', {}, p.card_uid),
		el('td', {}, [p.category, ...p.flags].join(', ')),
		el('td', {class: p.campus_quarantine ? 'fever' : ''},
		    quarantineText(p)),
		health ? el('td', {}, el('button', {type: 'button',
		    'data-quarantine': p.person, onclick: () => quarantine(p)},
		    p.campus_quarantine ? 'End quarantine' : 'Quarantine')) :
		    null))),
	    r.truncated ? el('caption', {}, 'The first 50 only: search ' +
		'for more of the name.') : null);
}

async function search(q) {
	lastSearch = q;
	try {
		const r = await api('GET', `/v1/people?${new URLSearchParams({q})}`);
		fill($('#people-result'), peopleRows(r));
	} catch (e) {
		say(`People: ${e.message}`, true);
	}
}

function peoplePanel() {
	return el('section', {class: 'panel', id: 'campus-people'},
	    el('h2', {}, 'People'),
	    el('form', {id: 'people-form', class: 'controls', role: 'search',
		onsubmit: (ev) => {
			ev.preventDefault();
			search(ev.target.q.value.trim());
		}},
		el('div', {class: 'ctl'}, el('label', {for: 'people-q'},
		    'Search'),
		    el('input', {id: 'people-q', name: 'q', type: 'search',
			required: true, autocomplete: 'off', maxlength: 100,
			placeholder: 'id, name or card'})),
		el('div', {class: 'row'}, el('button', {type: 'submit',
		    class: 'primary'}, 'Search'))),
	    el('div', {id: 'people-result'}));
}

function contactsPanel() {
	return el('section', {class: 'panel', id: 'campus-contacts'},
	    el('h2', {}, 'Contact tracing'),
	    el('form', {id: 'contact-form', class: 'controls', onsubmit: trace},
		el('div', {class: 'ctl'}, el('label', {for: 'person'}, 'Person'),
		    el('input', {id: 'person', name: 'person', required: true,
			autocomplete: 'off'})),
		el('div', {class: 'ctl'}, el('label', {for: 'days'}, 'Days'),
		    el('input', {id: 'days', name: 'days', type: 'number',
			min: 1, max: 366, value: 14, required: true})),
		el('div', {class: 'ctl'}, el('label', {for: 'why'}, 'Reason'),
		    el('input', {id: 'why', name: 'why', required: true,
			autocomplete: 'off', maxlength: 200})),
		el('div', {class: 'row'}, el('button', {type: 'submit',
		    class: 'primary'}, 'Trace'))),
	    el('div', {id: 'contact-result'}));
}

async function start() {
	frame('Campus');
	me = await signedIn();
	showUser(me);
	if (can(me.role, 'admin'))
		$('#campus').append(levelPanel());
	if (can(me.role, 'guard'))
		$('#campus').append(peoplePanel());
	if (can(me.role, 'health'))
		$('#campus').append(contactsPanel());
	await refresh();
	await report();
	// The report again after an event, at most every 5 s (it is a query
	// over the day's events; the hub runs one at a time).
	follow('/v1/events/stream', () => {
		refresh();
		reportSoon();
	});
	setInterval(() => {
		if (!document.hidden)
			refresh();
	}, 1000);
	setInterval(() => {
		if (!document.hidden)
			report();
	}, 30000);
}

start().catch((e) => say(`The console could not start: ${e.message}`, true));

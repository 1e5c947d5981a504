// gate.js: the gate's page.  The lanes, mode, level and alerts come from
// GET /v1/status (again on every journal event and every second, for the
// amber wait, which is not journaled); the passages come from
// GET /v1/events and then live from /v1/events/stream (Server-Sent
// Events), resumed by the browser with Last-Event-ID after a break.
//
// The same page runs on the hub as index.html?gate=NAME (the campus page's
// drill-down): it reads the same shapes under /v1/gates/NAME, which the
// hub builds from what it holds (docs/hub.md "A gate through the hub");
// the mode and level are the hub's signed commands, and open-once is not
// offered there: a lane opened from afar by someone who cannot see it is a
// safety risk, so the guard at the booth uses the gate's own console.
import {$, el, fill, update, clock, say, askReason} from './ui.js';
import {api, can, MODES} from './api.js';
import {frame, follow, signedIn, showUser} from './signin.js';

const viaHub = new URLSearchParams(location.search).get('gate');
const base = viaHub === null ? '/v1' :
    `/v1/gates/${encodeURIComponent(viaHub)}`;

const MAX_ROWS = 30;
let me = null;

// What a lane's state says, and the lamp it lights (by text too).
const LANE_STATES = {
	'waiting-temperature': ['Waiting for a temperature', 'amber'],
	locked: ['Closed', 'off'], released: ['Released: pass now', 'green'],
	idle: ['Idle', 'off'], down: ['Barrier down', 'off'],
	'down-occupied': ['Vehicle at the barrier', 'off'],
	up: ['Barrier up', 'green'], 'up-occupied': ['Vehicle passing', 'green'],
	lowering: ['Barrier lowering', 'amber'],
};
const DENY_LAMP_MS = 2000;	// agent/indicator.c: the red lamp's pattern
const denied = new Map();	// lane -> when its last denial was seen

function laneState(l) {
	if (l.state === null)	// through the hub: not published
		return ['State shown at the gate only', 'unknown'];
	const [text, colour] = LANE_STATES[l.state] ||
	    [l.state.replace(/-/g, ' '), l.open ? 'green' : 'off'];
	if (colour === 'off' && Date.now() - (denied.get(l.name) || 0) <
	    DENY_LAMP_MS)
		return [`${text}: denied`, 'red'];
	return [text, colour];
}

function lamp(colour) {
	const words = {green: 'green lamp', amber: 'amber lamp', red: 'red lamp',
	    off: 'lamps off', unknown: 'lamps not known here'};
	return el('span', {class: `lamp ${colour}`}, el('span',
	    {class: 'dot', 'aria-hidden': 'true'}), words[colour]);
}

async function openLane(name) {
	const reason = await askReason(`Open ${name} once`, 'Open');
	if (reason === null)
		return;
	try {
		const r = await api('POST', `/v1/lanes/${encodeURIComponent(name)}/open`,
		    {reason});
		say(`${name} opened once (journal ${r.event})`);
	} catch (e) {
		say(`Open ${name}: ${e.message}`, true);
	}
}

function renderLanes(lanes) {
	const shown = lanes.map((l) => ({...l, lamp: laneState(l)}));
	update($('#lane-list'), shown, (ls) => ls.map((l) => {
		const [text, colour] = l.lamp;
		return el('li', {class: `lane ${colour}`, 'data-lane': l.name},
		    el('div', {class: 'lane-head'}, el('strong', {}, l.name),
			el('span', {class: 'kind'}, l.kind)),
		    el('div', {class: 'lane-state'}, text),
		    lamp(colour),
		    can(me.role, 'guard') && viaHub === null && el('button', {type: 'button',
			class: 'primary', 'data-open': l.name,
			onclick: () => openLane(l.name)}, `Open ${l.name} once`));
	}));
}

async function ack(a) {
	const reason = await askReason(`Acknowledge alert ${a.id} (${a.kind})`,
	    'Acknowledge');
	if (reason === null)
		return;
	try {
		await api('POST', `${base}/alerts/${a.id}/ack`, {reason});
		say(`Alert ${a.id} acknowledged`);
		refresh();
	} catch (e) {
		say(`Acknowledge ${a.id}: ${e.message}`, true);
	}
}

function renderAlerts(alerts, count) {
	$('#alert-count').textContent = String(count);
	$('#alert-count').className = count > 0 ? 'count hot' : 'count';
	update($('#alert-list'), alerts, (as) => as.length === 0 ?
	    el('li', {class: 'none'}, 'No active alerts') :
	    as.map((a) => el('li', {class: 'alert', 'data-alert': a.id ?? ''},
		el('div', {}, el('strong', {}, `⚠ ${a.kind}`),
		    a.lane ? ` · ${a.lane}` : '',
		    a.count > 1 ? ` · ×${a.count}` : ''),
		el('div', {class: 'detail'}, a.detail || ''),
		el('div', {class: 'when'}, `raised ${clock(a.raised_ms)}`),
		can(me.role, 'guard') && a.id !== null && el('button', {
		    type: 'button', 'data-ack': a.id, onclick: () => ack(a)},
		    'Acknowledge'))));
}

async function setMode(ev) {
	ev.preventDefault();
	const mode = $('#mode-in').value.trim();
	const reason = await askReason(`Set mode ${mode}`, 'Set mode');
	if (reason === null)
		return;
	try {
		if (viaHub !== null) {
			const r = await api('POST', '/v1/campus/mode',
			    {gate: viaHub, mode, reason});
			say(`Mode ${r.value} sent to ${r.target} through the hub ` +
			    `(seq ${r.seq}); shown once the gate took it`);
			return;
		}
		const r = await api('POST', '/v1/mode', {mode, reason});
		say(`Mode ${r.mode} (journal ${r.event})`);
		refresh();
	} catch (e) {
		say(`Mode: ${e.message}`, true);
	}
}

async function setLevel(ev) {
	ev.preventDefault();
	const level = Number($('#level-in').value);
	const reason = await askReason(`Set level ${level}`, 'Set level');
	if (reason === null)
		return;
	try {
		if (viaHub !== null) {
			const r = await api('POST', '/v1/campus/level',
			    {level, reason});
			say(`Campus level ${r.value} sent through the hub ` +
			    `(seq ${r.seq}); shown once the gate took it`);
			return;
		}
		const r = await api('POST', '/v1/level', {level, reason});
		say(`Level ${r.level} ${r.name} (journal ${r.event})`);
		refresh();
	} catch (e) {
		say(`Level: ${e.message}`, true);
	}
}

// Mode and level forms, for an admin only.
function renderControls(st) {
	if (!can(me.role, 'admin')) {
		fill($('#controls'));
		return;
	}
	if ($('#mode-in'))
		return;
	fill($('#controls'),
	    el('form', {class: 'ctl', onsubmit: setMode},
		el('label', {for: 'mode-in'}, 'Mode'),
		el('input', {id: 'mode-in', list: 'modes', value: st.mode,
		    required: true, autocomplete: 'off'}),
		el('datalist', {id: 'modes'}, MODES.map((m) =>
		    el('option', {value: m}))),
		el('button', {type: 'submit'}, 'Set mode')),
	    el('form', {class: 'ctl', onsubmit: setLevel},
		el('label', {for: 'level-in'}, viaHub === null ? 'Level' :
		    'Campus level'),
		el('input', {id: 'level-in', type: 'number', min: 0, max: 9,
		    value: st.level ? st.level.number : 0, required: true}),
		el('button', {type: 'submit'}, 'Set level')));
}

async function refresh() {
	try {
		const st = await api('GET', `${base}/status`);
		$('#title').textContent = st.gate.name || st.gate.id;
		document.title = `${st.gate.name || st.gate.id} · gate console`;
		$('#mode').textContent = st.mode ?
		    `${st.mode} (${st.mode_source})` : '–';
		$('#level').textContent = st.level ?
		    `${st.level.number} · ${st.level.name}` : '–';
		if (viaHub !== null)
			renderVia(st);
		renderLanes(st.lanes);
		renderAlerts(st.alerts, st.alert_counts.active);
		renderControls(st);
	} catch (e) {
		if (e.status === 401)
			location.reload();
		say(`Status: ${e.message}`, true);
	}
}

// Through the hub: where the page comes from, the gate online or not in
// words, the way back to the campus, and why there is no open button.
function renderVia(st) {
	update($('#via'), [st.online, st.last_seen_ms], () => [
	    el('div', {}, 'Through the hub: ', el('span', {class:
		`pill ${st.online ? 'on' : 'off'} state-word`}, st.online ?
		'● online' : '○ OFFLINE'), st.last_seen_ms ?
		` last seen ${clock(st.last_seen_ms)}` : ''),
	    el('a', {href: '/', class: 'back', 'data-back': 'campus'},
		'← Campus')]);
}

// One passage as a row: the verdict in words and a mark, its colour only
// a help.
function passageRow(e) {
	const granted = e.verdict === 'granted';
	const fever = e.reason === 'fever';
	// An override is the operator's: the token or the button that opened.
	const who = e.person || (e.card ? `card ${e.card}` : 
	    (e.actor || '—').replace(/^token:/, ''));
	return el('tr', {class: granted ? 'granted' : 'denied',
	    'data-event': e.id},
	    el('td', {}, clock(e.ts_ms)),
	    el('td', {}, `${e.lane || ''}${e.direction ? ' ' + e.direction : ''}`),
	    el('td', {}, who),
	    el('td', {}, el('span', {class: `verdict ${granted ? 'ok' : 'no'}`},
		granted ? '✓ granted' : '✗ denied')),
	    el('td', {}, e.reason && e.reason !== e.verdict ?
		e.reason.replace(/-/g, ' ') : ''),
	    el('td', {class: fever ? 'fever' : ''}, e.temp === undefined ? '—' :
		`${e.temp.toFixed(1)} °C${fever ? ' fever' : ''}`));
}

function addPassage(e, fresh = false) {
	if (fresh && e.verdict === 'denied' && e.lane) {
		denied.set(e.lane, Date.now());
		setTimeout(refresh, DENY_LAMP_MS + 50);
	}
	const rows = $('#passage-rows');
	rows.prepend(passageRow(e));
	while (rows.children.length > MAX_ROWS)
		rows.lastChild.remove();
}

function live(afterId) {
	follow(`${base}/events/stream?after=${afterId}`, (m) => {
		const e = JSON.parse(m.data);
		if (e.kind === 'passage' || e.kind === 'override')
			addPassage(e, true);
		if (e.kind !== 'passage' || e.alert_id || e.verdict === 'denied')
			refresh();
	});
}

async function start() {
	frame('Gate');
	if (viaHub !== null) {
		$('#state').prepend(el('div', {id: 'via', class: 'via'}));
		$('#lanes').append(el('p', {id: 'no-open', class: 'kind'},
		    'Open once is not offered through the hub: a lane opened ' +
		    'by someone who cannot see it is a safety risk. Use the ' +
		    "gate's own console at the booth."));
	}
	me = await signedIn();
	showUser(me);
	await refresh();
	const ev = await api('GET', `${base}/events?limit=200`);
	fill($('#passage-rows'));
	for (const e of ev.events)
		if (e.kind === 'passage' || e.kind === 'override')
			addPassage(e);
	live(ev.last_id || 0);
	setInterval(() => {
		if (!document.hidden)
			refresh();
	}, 1000);
}

start().catch((e) => say(`The console could not start: ${e.message}`, true));

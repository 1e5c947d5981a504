// campus.js: the hub's campus page.  Every gate from GET /v1/campus/gates
// ([{gate, online, level, mode, alerts, last_seen_ms, people_version,
// gap}]): online or not in words, its level, mode and active alerts;
// refreshed every 2 s and at once on each event of the hub's stream.
import {$, el, fill, clock, say} from './ui.js';
import {api} from './api.js';
import {frame, follow, signedIn, showUser} from './signin.js';

function levelText(l) {
	if (l === null || l === undefined)
		return '–';
	if (typeof l === 'object')
		return `${l.number}${l.name ? ' · ' + l.name : ''}`;
	return String(l);
}

function gateCard(g) {
	const alerts = g.alerts ?? 0;
	return el('li', {class: `gate ${g.online ? 'online' : 'offline'}`,
	    'data-gate': g.gate, 'data-online': g.online ? 'yes' : 'no'},
	    el('div', {class: 'lane-head'}, el('strong', {}, g.gate),
		el('span', {class: `pill ${g.online ? 'on' : 'off'} state-word`},
		    g.online ? '● online' : '○ OFFLINE')),
	    el('div', {}, `Level ${levelText(g.level)}`),
	    el('div', {}, `Mode ${g.mode ?? '–'}`),
	    el('div', {}, el('span', {class: alerts > 0 ? 'count hot' : 'count'},
		String(alerts)), alerts === 1 ? ' alert' : ' alerts'),
	    el('div', {class: 'kind'}, g.last_seen_ms ?
		`last seen ${clock(g.last_seen_ms)}` : 'never seen'),
	    g.gap ? el('div', {class: 'kind'}, `missing events: ${g.gap}`) : null);
}

async function refresh() {
	try {
		const gates = await api('GET', '/v1/campus/gates');
		const list = Array.isArray(gates) ? gates : gates.gates || [];
		const online = list.filter((g) => g.online).length;
		$('#summary').textContent = `${list.length} gates, ${online} ` +
		    `online, ${list.length - online} offline`;
		fill($('#gate-list'), list.map(gateCard));
	} catch (e) {
		if (e.status === 401)
			location.reload();
		say(`Gates: ${e.message}`, true);
	}
}

async function start() {
	frame('Campus');
	showUser(await signedIn());
	await refresh();
	follow('/v1/events/stream', () => refresh());
	setInterval(() => {
		if (!document.hidden)
			refresh();
	}, 2000);
}

start().catch((e) => say(`The console could not start: ${e.message}`, true));

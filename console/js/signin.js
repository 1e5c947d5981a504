// signin.js: the sign-in both pages share.  Resolves with the session once
// there is one: the cookie's, or a new one made from a token typed in.
import {$, el, say} from './ui.js';
import {session, signIn, signOut} from './api.js';

// The parts both pages have, put in before their own: the bar (title, the
// stream's state, who is signed in), the notice line, the sign-in form
// and the dialog that asks for a reason.
export function frame(title) {
	document.body.prepend(
	    el('header', {class: 'bar'},
		el('h1', {id: 'title'}, title),
		el('span', {id: 'live', class: 'pill off', role: 'status'},
		    'connecting'),
		el('span', {id: 'who', class: 'who'}),
		el('button', {id: 'signout', type: 'button', hidden: true},
		    'Sign out')),
	    el('p', {id: 'notice', class: 'notice', role: 'status',
		'aria-live': 'polite'}),
	    el('form', {id: 'signin', class: 'signin', hidden: true},
		el('h2', {}, 'Sign in'),
		el('label', {for: 'token'}, 'Token'),
		el('input', {id: 'token', name: 'token', type: 'password',
		    autocomplete: 'current-password', required: true}),
		el('button', {type: 'submit', class: 'primary'}, 'Sign in')));
	document.body.append(el('dialog', {id: 'reason-dialog',
	    'aria-labelledby': 'reason-h'},
	    el('form', {method: 'dialog'},
		el('h2', {id: 'reason-h'}, 'Reason'),
		el('label', {for: 'reason'}, 'Reason (journaled with your name)'),
		el('input', {id: 'reason', name: 'reason', autocomplete: 'off',
		    maxlength: 200}),
		// OK first: Enter in the field presses a form's first button.
		el('div', {class: 'row'},
		    el('button', {value: 'ok', class: 'primary'}, 'OK'),
		    el('button', {value: 'cancel', formnovalidate: true},
			'Cancel')))));
}

// Shows the stream's state in the bar: live, or reconnecting (the browser
// reconnects by itself, with Last-Event-ID).
export function follow(url, onmessage) {
	const src = new EventSource(url);
	const live = (on) => {
		$('#live').textContent = on ? 'live' : 'reconnecting';
		$('#live').className = on ? 'pill on' : 'pill off';
	};
	src.onopen = () => live(true);
	src.onerror = () => live(false);
	src.onmessage = onmessage;
	return src;
}

export async function signedIn() {
	const s = await session();
	if (s)
		return s;
	const form = $('#signin');
	const input = form.querySelector('input');
	form.hidden = false;
	$('#app').hidden = true;
	input.focus();
	return new Promise((resolve) => {
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			try {
				const ns = await signIn(input.value.trim());
				input.value = '';
				form.hidden = true;
				say('');
				resolve(ns);
			} catch (e) {
				say(e.status === 429 ? e.message :
				    'Sign-in refused: ' + e.message, true);
				input.select();
			}
		});
	});
}

// The header's who-am-I and sign-out button.
export function showUser(s) {
	$('#who').textContent = `${s.name} (${s.role})`;
	$('#signout').hidden = false;
	$('#signout').onclick = async () => {
		await signOut().catch(() => {});
		location.reload();
	};
	$('#app').hidden = false;
}

// signin.js: the sign-in both pages share.  Resolves with the session once
// there is one: the cookie's, or a new one made from a token typed in.
import {$, say} from './ui.js';
import {session, signIn, signOut} from './api.js';

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

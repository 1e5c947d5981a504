// api.js: the /v1 API from the page, with the session's cookie.  Every
// request that changes something carries the session's CSRF token in
// X-CSRF-Token (the server refuses it otherwise); reads need only the
// cookie, which the browser sends by itself (HttpOnly: no script sees it).

let csrf = null;

// The roles, least first (a gate has no "health"; the hub has).
export const ROLES = ['viewer', 'guard', 'health', 'admin'];

// The modes every gate has (a gate may define more: its config's [mode]).
export const MODES = ['open', 'closed', 'pedestrian-only', 'residents-only'];

export function can(role, need) {
	return ROLES.indexOf(role) >= ROLES.indexOf(need);
}

export class ApiError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

export async function api(method, path, body) {
	const headers = {Accept: 'application/json'};
	if (method !== 'GET' && method !== 'HEAD') {
		headers['Content-Type'] = 'application/json';
		if (csrf)
			headers['X-CSRF-Token'] = csrf;
	}
	const r = await fetch(path, {method, headers, cache: 'no-store',
	    credentials: 'same-origin',
	    body: body === undefined ? undefined : JSON.stringify(body)});
	let data = null;
	try {
		data = await r.json();
	} catch {
		data = null;
	}
	if (!r.ok)
		throw new ApiError(r.status, (data && data.error) ||
		    `${r.status} ${r.statusText}`);
	return data;
}

// The session now ({name, role, csrf, expires_ms}) or null.
export async function session() {
	const s = await api('GET', '/v1/session');
	if (!s.signed_in)
		return null;
	csrf = s.csrf;
	return s;
}

export async function signIn(token) {
	const s = await api('POST', '/v1/session', {token});
	csrf = s.csrf;
	return s;
}

export async function signOut() {
	try {
		await api('DELETE', '/v1/session');
	} finally {
		csrf = null;
	}
}

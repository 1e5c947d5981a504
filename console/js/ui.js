// ui.js: the few DOM helpers both pages use.  Text goes in as text nodes,
// never as HTML, so nothing a gate reports (a lane name, a detail) can
// become markup.

// el('button', {class: 'big', onclick: f}, 'Open') -> an element.
export function el(tag, attrs = {}, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k.startsWith('on'))
			e.addEventListener(k.slice(2), v);
		else if (k === 'class')
			e.className = v;
		else
			e.setAttribute(k, v === true ? '' : String(v));
	}
	for (const c of children.flat()) {
		if (c === undefined || c === null || c === false)
			continue;
		e.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return e;
}

export function $(sel) {
	return document.querySelector(sel);
}

// Replaces a container's children.
export function fill(parent, ...children) {
	parent.replaceChildren(...children.flat().filter((c) => c));
}

// Renders into parent only when the data changed since the last time (the
// page polls every second: a button must not be replaced under a finger or
// the keyboard's focus), and gives the focus back to the button of the same
// data-* key when it was inside.
const shown = new WeakMap();
export function update(parent, data, render) {
	const key = JSON.stringify(data);
	if (shown.get(parent) === key)
		return;
	shown.set(parent, key);
	const f = document.activeElement;
	const keep = f && parent.contains(f) ? Object.entries(f.dataset)[0] : null;
	fill(parent, render(data));
	if (keep) {
		const again = parent.querySelector(`[data-${keep[0]}="${CSS.escape(keep[1])}"]`);
		if (again)
			again.focus();
	}
}

// "09:30:45" for a ms timestamp, in the browser's zone.
export function clock(ms) {
	const d = new Date(ms);
	return d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit',
	    second: '2-digit', hour12: false});
}

// A one-line message in the page's status area (role=status: read aloud).
export function say(text, bad = false) {
	const s = $('#notice');
	s.textContent = text;
	s.className = bad ? 'notice bad' : 'notice';
}

// Asks for a reason in the page's dialog.  Resolves with the reason, or
// null when cancelled.  required: an empty reason is not accepted.
export function askReason(title, action, required = true) {
	const d = $('#reason-dialog');
	const input = d.querySelector('input');
	d.querySelector('h2').textContent = title;
	d.querySelector('button[value=ok]').textContent = action;
	input.value = '';
	input.required = required;
	return new Promise((resolve) => {
		d.addEventListener('close', () => {
			resolve(d.returnValue === 'ok' ? input.value.trim() : null);
		}, {once: true});
		d.showModal();
		input.focus();
	});
}

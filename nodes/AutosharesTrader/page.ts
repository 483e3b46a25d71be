/**
 * The small page a person sees at the resume URL: a form to type the code, and the answers to
 * it. Everything shown is a fixed sentence or a number; the code and interim token never are.
 */

function escapeHtml(text: string): string {
	return text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
	);
}

export interface PageContent {
	title: string;
	message: string;
	/** Show the code form (the login is still waiting). */
	form?: { label: string };
}

export function renderPage(content: PageContent): string {
	const form = content.form
		? `<form method="POST" action="">
<label for="code">${escapeHtml(content.form.label)}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required autofocus>
<button type="submit">Continue</button>
</form>`
		: '';
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(content.title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f6f8;color:#1f2430;display:flex;justify-content:center;padding:10vh 1rem;margin:0}
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:2rem;max-width:26rem;width:100%}
h1{font-size:1.25rem;margin:0 0 .75rem}p{line-height:1.5;margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.5rem}
input{font-size:1.5rem;letter-spacing:.3em;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #c5cad3;border-radius:8px}
button{margin-top:1rem;font-size:1rem;padding:.6rem 1.2rem;border:0;border-radius:8px;background:#0b5394;color:#fff;cursor:pointer}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(content.title)}</h1>
<p>${escapeHtml(content.message)}</p>
${form}
</main>
</body>
</html>
`;
}

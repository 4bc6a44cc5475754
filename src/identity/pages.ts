// The server-rendered login pages (until the web console takes them over): the IdP list of /login and
// /login/<project>, the page after login ("Generate kubectl configuration", "Credentials plugin instructions"),
// the plugin instructions and error pages. Everything interpolated is HTML-escaped; no script runs.
export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store',
};

export const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Portcullis</title><style>
body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem}a.idp,button{display:inline-block;padding:.6rem 1rem;margin:.3rem 0;border:1px solid #1f6feb;border-radius:6px;
background:#1f6feb;color:#fff;text-decoration:none;font-size:1rem;cursor:pointer}pre{background:#f3f4f6;padding:.8rem;overflow:auto}
.muted{color:#57606a}section{margin:1.5rem 0;padding:1rem;border:1px solid #d0d7de;border-radius:8px}.error{border-color:#cf222e}
</style></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

export interface ProviderLink { name: string; displayName: string; project?: string; ready: boolean }

export function loginPage(o: { project?: string; providers: ProviderLink[]; returnTo?: string; server: string }): string {
  const ret = o.returnTo ? `&return=${encodeURIComponent(o.returnTo)}` : '';
  const proj = o.project ? `&project=${encodeURIComponent(o.project)}` : '';
  const items = o.providers.map((p) => p.ready
    ? `<li><a class="idp" href="/login/-/start?idp=${encodeURIComponent(p.name)}${proj}${ret}">Log in with ${esc(p.displayName)}</a>`
      + `${p.project ? ' <span class="muted">(this project\'s identity provider)</span>' : ''}</li>`
    : `<li>${esc(p.displayName)} <span class="muted">(not available right now)</span></li>`).join('');
  const list = o.providers.length ? `<ul style="list-style:none;padding:0">${items}</ul>` : '<p>No identity provider is configured for this login URL.</p>';
  return layout(o.project ? `Log in to project ${o.project}` : 'Log in to Portcullis', `${list}
<section><h2>Command line</h2><p>Log in without a browser page on this machine:</p>
<pre>portcullis login ${esc(o.server)} --idp &lt;name&gt;          # opens a browser on this machine
portcullis login ${esc(o.server)} --idp &lt;name&gt; --device # prints a code to enter on another device
portcullis login ${esc(o.server)} --username &lt;user&gt;     # local users with a password</pre></section>`);
}

export interface ClusterChoice { name: string; project: string; roles: string[] }

export interface HomePage { user: string; groups: string[]; provider: string; clusters: ClusterChoice[]; csrf: string; server: string; notice?: string }

export function homePage(o: HomePage): string {
  const options = o.clusters.map((c) => `<option value="${esc(c.name)}">${esc(c.name)} `
    + `(project ${esc(c.project)}; ${esc(c.roles.join(', ') || 'no role')})</option>`).join('');
  const csrf = `<input type="hidden" name="csrf" value="${esc(o.csrf)}">`;
  const generate = o.clusters.length
    ? `<form method="post" action="/login/-/kubeconfig">${csrf}<label>Cluster <select name="cluster">${options}</select></label>
<button type="submit">Download kubeconfig (token valid 24 h or the project's maximum)</button></form>
<form method="post" action="/login/-/kubeconfig">${csrf}<input type="hidden" name="all" value="true">
<button type="submit">Download kubeconfig for all clusters (exec plugin)</button></form>`
    : '<p>You cannot reach any tenant cluster yet: ask a project admin for access.</p>';
  return layout('You are logged in', `${o.notice ? `<p>${esc(o.notice)}</p>` : ''}
<p>Signed in as <strong>${esc(o.user)}</strong> through identity provider <strong>${esc(o.provider)}</strong>.</p>
<p class="muted">Groups: ${esc(o.groups.join(', ') || '(none)')}</p>
<section><h2>Generate kubectl configuration</h2>${generate}</section>
<section><h2>Credentials plugin instructions</h2><p>Let kubectl refresh its token by itself: <a href="/login/-/plugin">instructions</a>.</p></section>
<form method="post" action="/login/-/logout">${csrf}<button type="submit">Log out</button></form>`);
}

export function pluginPage(o: { server: string; provider: string }): string {
  return layout('Credentials plugin instructions', `<p>The <code>portcullis</code> command works as a kubectl credential plugin: kubectl runs it
for a token bound to one cluster, and it gets a fresh one through Portcullis (which re-confirms you with identity provider
<strong>${esc(o.provider)}</strong>) shortly before the old one expires.</p>
<section><h2>Method 1: one kubeconfig for all clusters</h2><pre>portcullis login ${esc(o.server)} --idp ${esc(o.provider)}
portcullis kubeconfig --all &gt; ~/.kube/portcullis
export KUBECONFIG=~/.kube/portcullis
kubectl config get-contexts</pre></section>
<section><h2>Method 2: one kubeconfig per cluster</h2><pre>portcullis login ${esc(o.server)} --idp ${esc(o.provider)}
portcullis kubeconfig --cluster &lt;cluster&gt; &gt; ~/.kube/&lt;cluster&gt;
kubectl --kubeconfig ~/.kube/&lt;cluster&gt; get namespaces</pre>
<p>Each cluster gets its own context and user entry, so a token is never sent to a cluster it was not made for.</p></section>
<p>No browser on that machine? Add <code>--device</code> to <code>portcullis login</code> and enter the code it prints on another device.</p>
<p><a href="/login/-/home">Back</a></p>`);
}

export function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  return layout(title, `<section class="error"><p>${esc(message)}</p></section>${link ? `<p><a href="${esc(link.href)}">${esc(link.text)}</a></p>` : ''}`);
}

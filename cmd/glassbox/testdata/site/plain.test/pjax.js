// plain-http: a pjax-style fetch of an HTML fragment (Accept: text/html
// and X-PJAX, as jquery-pjax sends them), put into the page.
fetch("/fragment.html", { headers: { "Accept": "text/html", "X-PJAX": "true" } })
  .then((r) => r.text())
  .then((html) => { document.getElementById("content").innerHTML = html; });

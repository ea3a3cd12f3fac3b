// tabs-two-sites: the site's API call, to a host both sites use.
fetch("https://api.test:[[.HTTPS]]/sites/[[.Site]]")
  .then((r) => r.json())
  .then(() => { document.getElementById("status").textContent = "api: ok"; });

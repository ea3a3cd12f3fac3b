// service-worker: install sw.js for /sw/ and say when it controls the page.
const status = document.getElementById("status");
if (navigator.serviceWorker.controller) {
  status.textContent = "worker: controlled";
}
navigator.serviceWorker.addEventListener("controllerchange", () => {
  status.textContent = "worker: controlled";
});
navigator.serviceWorker.register("sw.js", { scope: "/sw/" })
  .catch((e) => { status.textContent = "worker: failed " + e; });

// pushstate: show an item without leaving the page.
function show(n) {
  history.pushState({ item: n }, "", "/app/item/" + n);
  const img = new Image(16, 16);
  img.src = "/app/px/item-" + n + ".png";
  document.body.append(img);
  fetch("/app/data/item-" + n + ".json")
    .then((r) => r.json())
    .then(() => { document.getElementById("status").textContent = "item: " + n; });
}
document.getElementById("item7").addEventListener("click", () => show(7));
document.getElementById("item8").addEventListener("click", () => show(8));

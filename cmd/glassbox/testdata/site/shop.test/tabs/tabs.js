// tabs-one-site: each click asks two other hosts for something new (an
// image, an API call); both carry only the page's origin as Referer.
let clicks = 0;
document.getElementById("more").addEventListener("click", () => {
  clicks++;
  const tab = document.body.dataset.tab;
  const img = new Image(16, 16);
  img.src = "https://img.test:[[.HTTPS]]/px/tab-" + tab + "-late-" + clicks + ".png";
  document.body.append(img);
  fetch("https://api.test:[[.HTTPS]]/tabs/" + tab + "?click=" + clicks)
    .then((r) => r.json())
    .then(() => { document.getElementById("status").textContent = "more: " + clicks; });
});

// attachment: after the download the page is still there, and asks for more.
document.getElementById("after").addEventListener("click", () => {
  fetch("/dl/after.json")
    .then((r) => r.json())
    .then(() => { document.getElementById("status").textContent = "after: ok"; });
});

// prefetch-preload: preloaded, then run by the page's <script>.
window.hintsLater = true;

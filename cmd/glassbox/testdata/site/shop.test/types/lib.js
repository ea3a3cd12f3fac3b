// types: JavaScript read by fetch(), never run.
window.typesLib = true;

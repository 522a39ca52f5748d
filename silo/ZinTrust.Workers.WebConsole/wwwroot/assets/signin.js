import { signIn } from './api.js';

const form = document.getElementById('signin-form');
const error = document.getElementById('signin-error');

// Only a path of this site is followed after sign-in (never another origin).
function returnUrl() {
  const wanted = new URLSearchParams(location.search).get('returnUrl');
  return wanted && wanted.startsWith('/') && !wanted.startsWith('//') && !wanted.startsWith('/\\') ? wanted : './';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const input = document.getElementById('apiKey');
  const button = document.getElementById('signin');
  button.disabled = true;
  try {
    await signIn(input.value.trim());
    input.value = '';
    location.assign(returnUrl());
  } catch (e) {
    error.textContent = e.message + (e.code ? ' (' + e.code + ')' : '');
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});

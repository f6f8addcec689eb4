// Stripe's card form (the Payment Element) for a payment this site started: loads Stripe.js
// from Stripe (as Stripe requires), shows the form with the payment's client secret, and on
// "Pay" lets Stripe confirm it and bring the browser back to the booking, which waits for the
// webhook that says it was paid.

const form = document.getElementById('stripe-pay');

const load = () => new Promise((resolve, reject) => {
  const script = document.createElement('script');
  script.src = 'https://js.stripe.com/v3/';
  script.addEventListener('load', () => resolve(window.Stripe));
  script.addEventListener('error', () => reject(new Error('Stripe could not be reached')));
  document.head.append(script);
});

if (form) {
  const message = document.getElementById('pay-message');
  const button = form.querySelector('button');
  load().then((Stripe) => {
    const stripe = Stripe(form.dataset.key);
    const elements = stripe.elements({ clientSecret: form.dataset.secret });
    const slot = document.getElementById('payment-element');
    slot.replaceChildren();
    elements.create('payment').mount(slot);
    button.disabled = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      const back = new URL(form.dataset.back, window.location.href).href;
      const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: back } });
      // Only an error comes back here; on success Stripe goes to `back` itself.
      message.textContent = error ? error.message : '';
      button.disabled = false;
    });
  }, (error) => {
    message.textContent = `${error.message}: try again in a moment.`;
  });
}

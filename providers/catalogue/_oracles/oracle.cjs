// oracle.cjs asks a provider's official Node SDK whether it accepts a signed
// webhook request. providers/catalogue's SDK cross-tests run it: one JSON
// object on stdin
//   {"provider": "...", "secret": "...", "method": "POST", "url": "...",
//    "headers": {"name": "value", ...}, "body": "<base64>", "options": {...}}
// and one on stdout: {"ok": true} or {"ok": false, "error": "..."}; an
// oracle that answers a handshake adds the SDK's reply: {"ok": true, "reply": …}.
// Header names arrive lower-cased, as Node's http module gives them.
'use strict';

const oracles = {
  // @hubspot/api-client: Signature.isValid, signature version 3.
  hubspot: async (r) => {
    const { Signature } = require('@hubspot/api-client/lib/src/utils/signature');
    return Signature.isValid({
      signatureVersion: 'v3',
      signature: r.headers['x-hubspot-signature-v3'],
      clientSecret: r.secret,
      requestBody: r.body.toString('utf8'),
      method: r.method,
      url: r.url,
      timestamp: Number(r.headers['x-hubspot-request-timestamp']),
    });
  },
  // @linear/sdk: LinearWebhookClient.verify (signature and the body's
  // webhookTimestamp).
  linear: async (r) => {
    const { LinearWebhookClient } = await import('@linear/sdk/webhooks');
    return new LinearWebhookClient(r.secret).verify(r.body, r.headers['linear-signature']);
  },
  // @workos-inc/node: webhooks.verifyHeader (the SDK signs JSON.stringify of
  // the parsed payload: WorkOS sends compact JSON, so it is the body).
  workos: async (r) => {
    const { WorkOS } = require('@workos-inc/node');
    const workos = new WorkOS('sk_test_oracle');
    return workos.webhooks.verifyHeader({
      payload: JSON.parse(r.body.toString('utf8')),
      sigHeader: r.headers['workos-signature'],
      secret: r.secret,
    });
  },
  // box-node-sdk: WebhooksManager.validateMessage with the key as primary.
  box: async (r) => {
    const { WebhooksManager } = require('box-node-sdk/lib/managers/webhooks');
    return WebhooksManager.validateMessage(r.body.toString('utf8'), r.headers, r.secret);
  },
  // mollie-api-typescript (Mollie's official TypeScript SDK):
  // SignatureValidator.validatePayload, with every X-Mollie-Signature value.
  mollie: async (r) => {
    const { SignatureValidator } = require('mollie-api-typescript/utils/webhooks/index.js');
    return new SignatureValidator(r.secret).validatePayload(r.body.toString('utf8'), r.headers['x-mollie-signature']);
  },
  // gocardless-nodejs: webhooks.parse.
  gocardless: async (r) => {
    const webhooks = require('gocardless-nodejs/webhooks');
    webhooks.parse(r.body, r.secret, r.headers['webhook-signature']);
    return true;
  },
  // telnyx: TelnyxWebhook.verify (Ed25519; the secret is the public key).
  telnyx: async (r) => {
    const { TelnyxWebhook } = require('telnyx/lib/webhooks');
    await new TelnyxWebhook(r.secret).verify(r.body.toString('utf8'), r.headers);
    return true;
  },
  // @zoom/rivet: the AWS Lambda receiver's verification, which also answers
  // endpoint.url_validation (its reply is returned for the handshake test).
  zoom: async (r) => {
    console.debug = () => {}; // the receiver logs each event to stdout
    const { AwsLambdaReceiver } = require('@zoom/rivet/users');
    const receiver = new AwsLambdaReceiver({ webhooksSecretToken: r.secret });
    receiver.init({ eventEmitter: undefined });
    const res = await receiver.start()({ body: r.body.toString('utf8'), headers: r.headers, isBase64Encoded: false }, {});
    if (res.statusCode !== 200) return res.body;
    return { reply: JSON.parse(res.body) };
  },
  // @notionhq/client: verifyWebhookSignature.
  notion: async (r) => {
    const { verifyWebhookSignature } = require('@notionhq/client/build/src/webhooks');
    return verifyWebhookSignature({ body: r.body.toString('utf8'), signature: r.headers['x-notion-signature'], verificationToken: r.secret });
  },
  // pusher: Pusher#webhook(...).isValid(), with the app key the request names.
  pusher: async (r) => {
    const Pusher = require('pusher');
    const pusher = new Pusher({ appId: '1', key: r.headers['x-pusher-key'], secret: r.secret, cluster: 'eu' });
    return pusher.webhook({ headers: r.headers, rawBody: r.body.toString('utf8') }).isValid();
  },
  // @onfido/api: WebhookEventVerifier.readPayload.
  onfido: async (r) => {
    const { WebhookEventVerifier } = require('@onfido/api/dist/webhook-event-verifier');
    new WebhookEventVerifier(r.secret).readPayload(r.body, r.headers['x-sha2-signature']);
    return true;
  },
  // @sanity/webhook: isValidSignature.
  sanity: async (r) => {
    const { isValidSignature } = require('@sanity/webhook');
    return isValidSignature(r.body.toString('utf8'), r.headers['sanity-webhook-signature'], r.secret);
  },
  // @elevenlabs/elevenlabs-js: webhooks.constructEvent.
  elevenlabs: async (r) => {
    const { ElevenLabsClient } = require('@elevenlabs/elevenlabs-js');
    await new ElevenLabsClient({ apiKey: 'oracle' }).webhooks.constructEvent(r.body.toString('utf8'), r.headers['elevenlabs-signature'], r.secret);
    return true;
  },
  // replicate: validateWebhook.
  replicate: async (r) => {
    const { validateWebhook } = require('replicate');
    return validateWebhook({ headers: r.headers, body: r.body.toString('utf8') }, r.secret);
  },
  // @liveblocks/node: WebhookHandler.verifyRequest.
  liveblocks: async (r) => {
    const { WebhookHandler } = require('@liveblocks/node');
    new WebhookHandler(r.secret).verifyRequest({ headers: r.headers, rawBody: r.body.toString('utf8') });
    return true;
  },
  // webflow-api: webhooks.verifySignature.
  webflow: async (r) => {
    const { WebflowClient } = require('webflow-api');
    return new WebflowClient({ accessToken: 'oracle' }).webhooks.verifySignature({ headers: r.headers, body: r.body.toString('utf8'), secret: r.secret });
  },
  // modern-treasury: webhooks.validateSignature.
  moderntreasury: async (r) => {
    const ModernTreasury = require('modern-treasury');
    const mt = new ModernTreasury({ apiKey: 'oracle', organizationID: 'oracle', webhookKey: r.secret });
    return mt.webhooks.validateSignature(r.body.toString('utf8'), r.headers);
  },
  // orb-billing: webhooks.verifySignature.
  orb: async (r) => {
    const Orb = require('orb-billing');
    new Orb({ apiKey: 'oracle' }).webhooks.verifySignature(r.body.toString('utf8'), r.headers, r.secret);
    return true;
  },
  // imagekit: verifyWebhookEvent.
  imagekit: async (r) => {
    const ImageKit = require('imagekit');
    const ik = new ImageKit({ publicKey: 'oracle', privateKey: 'oracle', urlEndpoint: 'https://ik.imagekit.io/oracle' });
    ik.verifyWebhookEvent(r.body.toString('utf8'), r.headers['x-ik-signature'], r.secret);
    return true;
  },
  // lithic: webhooks.verifySignature.
  lithic: async (r) => {
    const Lithic = require('lithic');
    new Lithic({ apiKey: 'oracle' }).webhooks.verifySignature(r.body.toString('utf8'), r.headers, r.secret);
    return true;
  },
  // @privy-io/server-auth: PrivyClient#verifyWebhook (it verifies
  // JSON.stringify of the parsed payload: Privy sends compact JSON).
  privy: async (r) => {
    const { PrivyClient } = require('@privy-io/server-auth');
    const privy = new PrivyClient('oracle-app', 'oracle-secret');
    await privy.verifyWebhook(JSON.parse(r.body.toString('utf8')),
      { id: r.headers['svix-id'], timestamp: r.headers['svix-timestamp'], signature: r.headers['svix-signature'] }, r.secret);
    return true;
  },

  // @upstash/qstash: Receiver.verify, with the URL the message was sent to.
  qstash: async (r) => {
    const { Receiver } = require('@upstash/qstash');
    return new Receiver({ currentSigningKey: r.secret, nextSigningKey: r.secret + '-next' })
      .verify({ signature: r.headers['upstash-signature'], body: r.body.toString('utf8'), url: r.url });
  },
  // livekit-server-sdk: WebhookReceiver.receive (the secret is key:secret).
  livekit: async (r) => {
    const { WebhookReceiver } = require('livekit-server-sdk');
    const [key, secret] = r.secret.split(':');
    await new WebhookReceiver(key, secret).receive(r.body.toString('utf8'), r.headers['authorization']);
    return true;
  },
  // @whop/sdk: webhooks.unwrap.
  whop: async (r) => {
    const Whop = require('@whop/sdk').default;
    new Whop({ apiKey: 'oracle', appID: 'app_oracle' }).webhooks.unwrap(r.body.toString('utf8'), { headers: r.headers, key: r.secret });
    return true;
  },
  // @adyen/api-library: HmacValidator.validateHMAC, for every notification
  // item of the body.
  adyen: async (r) => {
    const HmacValidator = require('@adyen/api-library/lib/src/utils/hmacValidator').default;
    const v = new HmacValidator();
    const items = JSON.parse(r.body.toString('utf8')).notificationItems;
    return items.length > 0 && items.every((it) => v.validateHMAC(it.NotificationRequestItem, r.secret));
  },
  // braintree: webhookNotification.parse (the secret is the private key; the
  // signer pairs it with the public key "hookgate").
  braintree: async (r) => {
    const braintree = require('braintree');
    const gateway = new braintree.BraintreeGateway({
      environment: braintree.Environment.Sandbox, merchantId: 'oracle', publicKey: 'hookgate', privateKey: r.secret,
    });
    const form = new URLSearchParams(r.body.toString('utf8'));
    await gateway.webhookNotification.parse(form.get('bt_signature'), form.get('bt_payload'));
    return true;
  },
  // stream-chat: StreamChat#verifyWebhook.
  stream: async (r) => {
    const { StreamChat } = require('stream-chat');
    return new StreamChat('oracle-key', r.secret).verifyWebhook(r.body.toString('utf8'), r.headers['x-signature']);
  },
  // retell-sdk: verify.
  retell: async (r) => {
    const { verify } = require('retell-sdk');
    return verify(r.body.toString('utf8'), r.secret, r.headers['x-retell-signature']);
  },
  // @contentful/node-apps-toolkit: verifyRequest over the canonical request
  // (the path and query as the server sees them).
  contentful: async (r) => {
    const { verifyRequest } = require('@contentful/node-apps-toolkit');
    const u = new URL(r.url);
    return verifyRequest(r.secret, { method: r.method, path: u.pathname + u.search, headers: r.headers, body: r.body.toString('utf8') });
  },
  // @polar-sh/sdk: validateEvent (the secret as Polar shows it). It checks
  // the signature, then parses the event against this SDK version's
  // schemas: only a WebhookVerificationError is a refused signature.
  polar: async (r) => {
    const { validateEvent, WebhookVerificationError } = require('@polar-sh/sdk/webhooks');
    try {
      validateEvent(r.body.toString('utf8'), r.headers, r.secret);
    } catch (e) {
      if (e instanceof WebhookVerificationError) throw e;
    }
    return true;
  },
  // @tryfinch/finch-api: webhooks.verifySignature.
  finch: async (r) => {
    const Finch = require('@tryfinch/finch-api').default;
    new Finch({ accessToken: 'oracle' }).webhooks.verifySignature(r.body.toString('utf8'), r.headers, r.secret);
    return true;
  },
  // dodopayments: webhooks.unwrap.
  dodopayments: async (r) => {
    const DodoPayments = require('dodopayments').default;
    new DodoPayments({ bearerToken: 'oracle' }).webhooks.unwrap(r.body.toString('utf8'), { headers: r.headers, key: r.secret });
    return true;
  },
  // cashfree-pg: PGVerifyWebhookSignature (error analytics off: the SDK
  // would otherwise start Sentry, which reaches the network).
  cashfree: async (r) => {
    const { Cashfree, CFEnvironment } = require('cashfree-pg');
    const cf = new Cashfree(CFEnvironment.SANDBOX, 'oracle-client', r.secret, undefined, undefined, undefined, false);
    cf.PGVerifyWebhookSignature(r.headers['x-webhook-signature'], r.body.toString('utf8'), r.headers['x-webhook-timestamp']);
    return true;
  },
  // @kontent-ai/webhook-helper: signatureHelper.isValidSignatureFromString.
  kontentai: async (r) => {
    const { signatureHelper } = require('@kontent-ai/webhook-helper');
    return signatureHelper.isValidSignatureFromString(r.body.toString('utf8'), r.secret, r.headers['x-kontent-ai-signature']);
  },
  // @easypost/api: client.Utils.validateWebhook (throws on a mismatch).
  easypost: async (r) => {
    const EasyPostClient = require('@easypost/api');
    new (EasyPostClient.default || EasyPostClient)('oracle-key').Utils.validateWebhook(r.body, r.headers, r.secret);
    return true;
  },
  // sns-validator (AWS's aws-js-sns-message-validator): validate, with the
  // host pattern of the test's certificate host (trusted through
  // NODE_EXTRA_CA_CERTS) in place of SNS's.
  sns: async (r) => {
    const MessageValidator = require('sns-validator');
    const v = new MessageValidator(new RegExp(r.options.hostPattern));
    await new Promise((resolve, reject) => v.validate(r.body.toString('utf8'), (err) => (err ? reject(err) : resolve())));
    return true;
  },
  // @vonage/jwt: verifySignature (the token's HS256 signature; Vonage
  // leaves the payload_hash comparison to the receiver).
  vonage: async (r) => {
    const { verifySignature } = require('@vonage/jwt');
    return verifySignature(r.headers['authorization'].replace(/^Bearer /, ''), r.secret);
  },
  // @anthropic-ai/sdk: beta.webhooks.unwrap (Standard Webhooks, webhook-*
  // headers, whsec_ key).
  anthropic: async (r) => {
    const Anthropic = require('@anthropic-ai/sdk').default;
    new Anthropic({ apiKey: 'oracle' }).beta.webhooks.unwrap(r.body.toString('utf8'), { headers: r.headers, key: r.secret });
    return true;
  },
  // chargebee: basicAuthValidator, with the oracle's user:password as the
  // credentials it accepts.
  chargebee: async (r) => {
    const { basicAuthValidator } = require('chargebee');
    const i = r.secret.indexOf(':');
    const [user, password] = [r.secret.slice(0, i), r.secret.slice(i + 1)];
    await basicAuthValidator((u, p) => u === user && p === password)(r.headers);
    return true;
  },
  // Worldline's two official Node SDKs, onlinepayments-sdk-nodejs (Direct)
  // and connect-sdk-nodejs (Connect): each one's webhooks helper unmarshal,
  // with the secret stored under the request's X-GCS-KeyId. Both must agree.
  worldline: async (r) => {
    const verdict = async (sdk) => {
      sdk.inMemorySecretKeyStore.storeSecretKey(r.headers['x-gcs-keyid'] || 'none', r.secret);
      const helper = sdk.init ? sdk.init(sdk.inMemorySecretKeyStore) : sdk.v1.init(sdk.inMemorySecretKeyStore);
      try {
        await helper.unmarshal(r.body, r.headers);
        return true;
      } catch (e) {
        return String(e && e.message ? e.message : e);
      }
    };
    const direct = await verdict(require('onlinepayments-sdk-nodejs').webhooks);
    const connect = await verdict(require('connect-sdk-nodejs').webhooks);
    if ((direct === true) !== (connect === true)) throw new Error(`the SDKs disagree: Direct ${direct}, Connect ${connect}`);
    if (direct !== true) throw new Error(direct);
    return true;
  },
  // plivo: validateV3Signature, with the form body's parameters as Plivo's
  // docs pass them (querystring.parse of the body).
  plivo: async (r) => {
    const plivo = require('plivo');
    const params = r.method === 'GET' ? {} : require('querystring').parse(r.body.toString('utf8'));
    return plivo.validateV3Signature(r.method, r.url, r.headers['x-plivo-signature-v3-nonce'], r.secret, r.headers['x-plivo-signature-v3'], params);
  },
  // @gr4vy/sdk: verifyWebhook (X-Gr4vy-Webhook-Signatures over
  // {timestamp}.{body}; 300 s).
  gr4vy: async (r) => {
    const { verifyWebhook } = require('@gr4vy/sdk');
    verifyWebhook(r.body.toString('utf8'), r.secret, r.headers['x-gr4vy-webhook-signatures'], r.headers['x-gr4vy-webhook-timestamp'], 300);
    return true;
  },
  // @dropbox/sign: EventCallbackHelper.isValid over the event as the SDK
  // models it (EventCallbackRequest.init); a multipart body is read as a
  // form (Node's own parser) and its json field is the event.
  dropboxsign: async (r) => {
    const { EventCallbackHelper, EventCallbackRequest } = require('@dropbox/sign');
    let json = r.body.toString('utf8');
    const ct = r.headers['content-type'] || '';
    if (ct.startsWith('multipart/form-data')) {
      json = (await new Response(r.body, { headers: { 'content-type': ct } }).formData()).get('json');
    }
    return EventCallbackHelper.isValid(r.secret, EventCallbackRequest.init(JSON.parse(json)));
  },
  // @team-plain/typescript-sdk: verifyPlainWebhook (Plain-Request-Signature,
  // the body's schema, and its delivery attempt timestamp within 300 s).
  plain: async (r) => {
    const { verifyPlainWebhook } = require('@team-plain/typescript-sdk');
    const v = verifyPlainWebhook(r.body.toString('utf8'), r.headers['plain-request-signature'] || '', r.secret, 300);
    if (v.error) throw v.error;
    return true;
  },
  // @hookdeck/sdk: verifyWebhookSignature (X-Hookdeck-Signature, or
  // X-Hookdeck-Signature-2 under the previous secret).
  hookdeck: async (r) => {
    const { verifyWebhookSignature } = require('@hookdeck/sdk/webhooks/helpers');
    const v = await verifyWebhookSignature({ headers: r.headers, rawBody: r.body.toString('utf8'), signingSecret: r.secret });
    return v.isValidSignature;
  },
  // @metronome/sdk: webhooks.verifySignature (X-Metronome-Date, a newline
  // and the body; 5 minutes either way).
  metronome: async (r) => {
    const Metronome = require('@metronome/sdk').default;
    new Metronome({ bearerToken: 'oracle' }).webhooks.verifySignature(r.body.toString('utf8'), r.headers, r.secret);
    return true;
  },
};

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const r = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  r.body = Buffer.from(r.body, 'base64');
  const oracle = oracles[r.provider];
  if (!oracle) throw new Error(`no oracle for ${r.provider}`);
  let out;
  try {
    const ok = await oracle(r);
    if (ok && typeof ok === 'object' && 'reply' in ok) out = { ok: true, reply: ok.reply };
    else out = ok === true ? { ok: true } : { ok: false, error: `the SDK answered ${JSON.stringify(ok)}` };
  } catch (e) {
    out = { ok: false, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});

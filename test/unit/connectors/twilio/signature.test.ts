/**
 * X-Twilio-Signature checked exactly as Twilio's official Node library does: the test vectors are the library's own
 * (twilio/twilio-node, spec/validation.spec.js: auth token 12345, URL https://mycompany.com/myapp.php?foo=1&bar=2, a
 * voice webhook's parameters, and a JSON body with bodySHA256), so a signature that library accepts is accepted here.
 */
import { describe, expect, it } from 'vitest';
import { bodySha256, formParams, twilioSignature, urlVariants, validTwilioBodySignature, validTwilioSignature } from '../../../../server/connectors/twilio/signature.js';

const token = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };

describe('X-Twilio-Signature over a form-encoded request', () => {
  it("computes the library's signature: the URL and the sorted parameters, HMAC-SHA1, base64", () => {
    expect(twilioSignature(token, url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(validTwilioSignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(true);
  });

  it('refuses a wrong or missing signature, a changed parameter and another token', () => {
    expect(validTwilioSignature(token, 'WRONG_SIGNATURE', url, params)).toBe(false);
    expect(validTwilioSignature(token, undefined, url, params)).toBe(false);
    expect(validTwilioSignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, { ...params, Digits: '1235' })).toBe(false);
    expect(validTwilioSignature('54321', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(false);
  });

  it('accepts the URL with and without its port, as the library does', () => {
    // Signed without a port, called on :1234 (the port is stripped).
    expect(validTwilioSignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url.replace('.com', '.com:1234'), params)).toBe(true);
    // Signed on http with port 1234.
    expect(validTwilioSignature(token, 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=', url.replace('.com', '.com:1234').replace('https', 'http'), params)).toBe(true);
    // Signed with the standard port (443, 80) that the URL we know leaves out.
    expect(validTwilioSignature(token, 'kvajT1Ptam85bY51eRf/AJRuM3w=', url, params)).toBe(true);
    expect(validTwilioSignature(token, '0ZXoZLH/DfblKGATFgpif+LLRf4=', url.replace('https', 'http'), params)).toBe(true);
    expect(urlVariants('https://frontline.example.com/api/v1/sources/s1/push/taskrouter')).toEqual([
      'https://frontline.example.com/api/v1/sources/s1/push/taskrouter',
      'https://frontline.example.com:443/api/v1/sources/s1/push/taskrouter',
    ]);
  });

  it('signs a repeated parameter by each of its distinct values, sorted', () => {
    const repeated = formParams('b=2&a=y&a=x&a=y');
    expect(repeated).toEqual({ b: '2', a: ['y', 'x', 'y'] });
    expect(twilioSignature(token, url, repeated)).toBe(twilioSignature(token, `${url}axay`, { b: '2' }));
  });
});

describe('X-Twilio-Signature over a JSON body (bodySHA256)', () => {
  const body = '{"property": "value", "boolean": true}';
  it("checks the URL's signature and the body's hash", () => {
    expect(bodySha256(body)).toBe('0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620');
    const withHash = `${url}&bodySHA256=${bodySha256(body)}`;
    expect(validTwilioBodySignature(token, 'a9nBmqA0ju/hNViExpshrM61xv4=', withHash, Buffer.from(body))).toBe(true);
    expect(validTwilioBodySignature(token, 'y77kIzt2vzLz71DgmJGsen2scGs=', `https://mycompany.com/myapp.php?bodySHA256=${bodySha256(body)}`, Buffer.from(body))).toBe(true);
    // A changed body no longer matches its hash; a URL without bodySHA256 is refused.
    expect(validTwilioBodySignature(token, 'a9nBmqA0ju/hNViExpshrM61xv4=', withHash, Buffer.from(body.replace('true', 'false')))).toBe(false);
    expect(validTwilioBodySignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, Buffer.from(body))).toBe(false);
  });
});

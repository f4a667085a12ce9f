// What every SDK script shares: reading its input, making a client, reporting results.
// A script reads one JSON object on stdin ({baseUrl, organizationId, apiKey, ...}) and
// prints one JSON object on stdout, which tests/sdk/test_rebilly_js_sdk.py asserts on.
import { RebillyAPI } from "rebilly-js-sdk";

export async function readInput() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

// The SDK as a merchant configures it for a self-hosted server: both URLs point at openkyc
// and the organization id makes it call {baseUrl}/organizations/{organizationId}/...
export function connect({ baseUrl, organizationId, apiKey }) {
  return RebillyAPI({
    apiKey,
    organizationId,
    sandbox: true,
    timeout: 30000,
    urls: { live: baseUrl, sandbox: baseUrl },
  });
}

export function member(response) {
  return { status: response.response.status, fields: response.fields };
}

export function collection(response) {
  return {
    status: response.response.status,
    total: response.total,
    limit: response.limit,
    offset: response.offset,
    items: response.items.map((item) => item.fields),
  };
}

// The error a call ends in, as the SDK classifies it; a call that succeeds is reported too.
export async function errorOf(promise) {
  try {
    const response = await promise;
    return { succeeded: true, status: response.response.status };
  } catch (error) {
    return {
      name: error.name,
      status: error.status,
      message: error.message,
      invalidFields: error.invalidFields,
    };
  }
}

export function write(results) {
  process.stdout.write(JSON.stringify(results));
}

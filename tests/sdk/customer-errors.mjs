// How Rebilly's JS SDK reports openkyc's errors: 404, 422 with invalidFields, 401, 403.
import { connect, errorOf, member, readInput, write } from "./client.mjs";

const input = await readInput();
const api = connect(input);

const out = {};
out.created = member(
  await api.customers.create({
    id: input.customerId,
    data: { primaryAddress: { firstName: "Ada", lastName: "Lovelace" } },
  }),
);
out.notFound = await errorOf(api.customers.get({ id: "cus_missing" }));
out.invalid = await errorOf(
  api.customers.create({ data: { primaryAddress: { country: "gb", dob: "10/12/1990" } } }),
);
out.badSort = await errorOf(api.customers.getAll({ sort: ["-password"] }));
out.badFilter = await errorOf(api.customers.getAll({ filter: "createdTime:yesterday" }));
out.wrongKey = await errorOf(
  connect({ ...input, apiKey: "sk_sandbox_not-a-key" }).customers.get({ id: input.customerId }),
);
out.otherOrganization = await errorOf(
  connect({ ...input, organizationId: input.otherOrganizationId }).customers.get({
    id: input.customerId,
  }),
);
write(out);

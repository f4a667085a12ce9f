// Customers through Rebilly's JS SDK: create, create with an id, get, update, list.
import { collection, connect, errorOf, member, readInput, write } from "./client.mjs";

const input = await readInput();
const api = connect(input);

function customer(firstName, lastName, country) {
  const email = `${firstName.toLowerCase()}@example.com`;
  return {
    primaryAddress: {
      firstName,
      lastName,
      country,
      city: "London",
      dob: "1990-12-10",
      emails: [{ label: "main", value: email, primary: true }],
    },
  };
}

const out = {};
// No id: the SDK posts to `customers/`, trailing slash included.
out.created = member(await api.customers.create({ data: customer("Ada", "Lovelace", "GB") }));
// An id: the SDK asks for it first, and on a 404 PUTs it.
out.createdWithId = member(
  await api.customers.create({ id: input.customerId, data: customer("Grace", "Hopper", "US") }),
);
out.createdAgain = await errorOf(
  api.customers.create({ id: input.customerId, data: customer("Grace", "Hopper", "US") }),
);
out.fetched = member(await api.customers.get({ id: input.customerId }));
const moved = customer("Grace", "Hopper", "GB");
moved.primaryAddress.city = "Cambridge";
out.updated = member(await api.customers.update({ id: input.customerId, data: moved }));
out.others = [];
for (const [first, last, country] of [
  ["Alan", "Turing", "GB"],
  ["Katherine", "Johnson", "US"],
  ["Tim", "Berners-Lee", "GB"],
]) {
  out.others.push(member(await api.customers.create({ data: customer(first, last, country) })));
}
const query = {
  filter: "primaryAddress.country:GB",
  sort: ["primaryAddress.lastName", "-createdTime"],
  limit: 2,
};
out.firstPage = collection(await api.customers.getAll(query));
out.secondPage = collection(await api.customers.getAll({ ...query, offset: 2 }));
write(out);

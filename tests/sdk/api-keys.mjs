// API keys through Rebilly's JS SDK: create (with and without an id), list, delete.
import { collection, connect, errorOf, member, readInput, write } from "./client.mjs";

const input = await readInput();
const api = connect(input);

const out = {};
out.created = member(await api.apiKeys.create({ data: { description: "SDK integration" } }));
out.createdWithId = member(
  await api.apiKeys.create({ id: input.apiKeyId, data: { description: "Chosen id" } }),
);
const second = connect({ ...input, apiKey: out.created.fields.secretKey });
out.listedWithNewKey = collection(await second.apiKeys.getAll({ sort: ["createdTime"] }));
out.deleted = member(await api.apiKeys.delete({ id: out.created.fields.id }));
out.deletedChosen = member(await api.apiKeys.delete({ id: input.apiKeyId }));
out.afterDelete = collection(await api.apiKeys.getAll());
out.deletedKeyRefused = await errorOf(second.apiKeys.getAll());
out.lastKeyKept = await errorOf(api.apiKeys.delete({ id: out.afterDelete.items[0].id }));
out.deletedAgain = await errorOf(api.apiKeys.delete({ id: out.created.fields.id }));
write(out);

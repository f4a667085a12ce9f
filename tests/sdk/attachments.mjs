// Attachments through Rebilly's JS SDK: attach (new id and the client's own), getAttachment,
// updateAttachment, getAllAttachments, detach and detachAndDelete.
import { collection, connect, errorOf, member, readInput, write } from "./client.mjs";

const input = await readInput();
const api = connect(input);

const upload = async (name) =>
  (await api.files.upload({ fileObject: { file: input.png, name } })).fields.id;

const out = {};
const customer = await api.customers.create({ data: { primaryAddress: { firstName: "Ada" } } });
out.customerId = customer.fields.id;
out.billId = await upload("bill.png");
out.licenceId = await upload("licence.png");

out.attached = member(
  await api.files.attach({
    data: { fileId: out.billId, relatedType: "customer", relatedId: out.customerId },
    expand: "file",
  }),
);
out.attachedWithId = member(
  await api.files.attach({
    id: "att-licence",
    data: {
      fileId: out.licenceId,
      relatedType: "organization",
      relatedId: input.organizationId,
      description: "Licence",
    },
  }),
);
out.attachedTwice = await errorOf(
  api.files.attach({
    id: "att-licence",
    data: { fileId: out.licenceId, relatedType: "organization", relatedId: input.organizationId },
  }),
);
out.fetched = member(await api.files.getAttachment({ id: out.attached.fields.id }));
out.updated = member(
  await api.files.updateAttachment({
    id: out.attached.fields.id,
    data: { ...out.fetched.fields, name: "Utility bill" },
    expand: "file",
  }),
);
out.ofCustomer = collection(
  await api.files.getAllAttachments({ filter: `relatedId:${out.customerId}`, expand: "file" }),
);
out.byName = collection(await api.files.getAllAttachments({ sort: ["name"] }));
out.refused = await errorOf(
  api.files.attach({
    data: { fileId: "file_missing", relatedType: "transaction", relatedId: out.customerId },
  }),
);
out.detached = await errorOf(api.files.detach({ id: out.attached.fields.id }));
out.detachedAndDeleted = await errorOf(api.files.detachAndDelete({ id: out.licenceId }));
out.missing = await errorOf(api.files.getAttachment({ id: "att-licence" }));
out.left = collection(await api.files.getAllAttachments());
write(out);

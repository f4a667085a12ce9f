// A merchant's code in the order it naturally runs, with automatic analysis on: create a
// document, then at once update its notes, start a review and decide, while the analyser works.
import { connect, errorOf, member, readInput, write } from "./client.mjs";

const input = await readInput();
const api = connect(input);
const out = {};

const customer = await api.customers.create({
  data: { primaryAddress: { firstName: "Eileen", lastName: "Collins", dob: "1986-11-19" } },
});
const customerId = customer.fields.id;

async function document(name) {
  const file = await api.files.upload({
    fileObject: { file: input.passport, name, tags: ["kyc", "id-front"] },
  });
  return api.kycDocuments.create({
    data: { customerId, documentType: "identity-proof", fileIds: [file.fields.id] },
  });
}

async function walk(decide) {
  const created = await document("passport.jpg");
  const id = created.fields.id;
  const steps = { created: member(created) };
  steps.updated = member(
    await api.kycDocuments.update({
      id,
      data: { ...created.fields, notes: "Checked against the phone call" },
    }),
  );
  steps.started = member(await api.kycDocuments.startReview({ id }));
  steps.decided = await errorOf(decide(id));
  steps.after = member(await api.kycDocuments.get({ id }));
  return steps;
}

out.accept = await walk((id) => api.kycDocuments.accept({ id }));
out.reject = await walk((id) =>
  api.kycDocuments.reject({
    id,
    data: { type: "document-unreadable", message: "Please photograph it in daylight" },
  }),
);
write(out);

// KYC through Rebilly's JS SDK: every method of kycSettings, kycRequests and kycDocuments,
// and the kyc-document methods of tags, walked the way a merchant's back office uses them:
// settings, a request, its documents, a reviewer's actions, until the request is fulfilled.
import { collection, connect, errorOf, member, readInput, write } from "./client.mjs";

const input = await readInput();
const api = connect(input);
const reviewer = connect({ ...input, apiKey: input.secondApiKey });

async function upload(name, tags) {
  const response = await api.files.upload({ fileObject: { file: input.png, name, tags } });
  return response.fields.id;
}

const out = {};

// Settings: the defaults, a change, the change read back.
out.defaultSettings = member(await api.kycSettings.getKycSettings());
out.savedSettings = member(
  await api.kycSettings.updateKycSettings({
    data: {
      identityProof: {
        thresholds: { rejectBelow: 40, acceptAbove: 85 },
        minimumAgeSettings: {
          defaultMinimumAge: 18,
          locationOverrides: [{ country: "US", state: "AL", minimumAge: 19 }],
        },
      },
      addressProof: { weights: { line1: 40 } },
      uiVersion: "2",
    },
  }),
);
out.settings = member(await api.kycSettings.getKycSettings());
out.badSettings = await errorOf(
  api.kycSettings.updateKycSettings({
    data: { identityProof: { thresholds: { rejectBelow: 95, acceptAbove: 101 } } },
  }),
);

const customerId = (
  await api.customers.create({
    data: {
      primaryAddress: {
        firstName: "Ada",
        lastName: "Lovelace",
        country: "GB",
        city: "London",
        dob: "1990-12-10",
      },
    },
  })
).fields.id;

// Requests: create, get, change, list with their documents; a second one withdrawn.
out.request = member(
  await api.kycRequests.create({
    data: {
      customerId,
      documents: [
        { type: "identity-proof", subtypes: ["passport", "id-card"], faceProofRequired: true },
        { type: "address-proof", maxAttempts: 5 },
      ],
      redirectUrl: "https://shop.example.com/kyc-done",
    },
  }),
);
const requestId = out.request.fields.id;
out.fetchedRequest = member(await api.kycRequests.get({ id: requestId }));
out.patchedRequest = member(
  await api.kycRequests.update({
    id: requestId,
    data: { matchLevel: 3, reason: "Withdrawal over the limit" },
  }),
);
const withdrawn = await api.kycRequests.create({
  data: { customerId, documents: [{ type: "funds-proof" }] },
});
out.deletedRequest = { status: (await api.kycRequests.delete({ id: withdrawn.fields.id })).response.status };
out.deletedAgain = await errorOf(api.kycRequests.delete({ id: withdrawn.fields.id }));
out.unknownCustomer = await errorOf(
  api.kycRequests.create({
    data: { customerId: "cus_missing", documents: [{ type: "identity-proof" }] },
  }),
);

// Documents: create (no id: POST to the collection; an id: the SDK reads, then PUTs).
const front = await upload("passport.png", ["kyc", "id-front"]);
const selfie = await upload("selfie.png", ["kyc", "face-proof"]);
const bill = await upload("bill.png", ["kyc"]);
out.identity = member(
  await api.kycDocuments.create({
    data: {
      customerId,
      requestId,
      documentType: "identity-proof",
      documentSubtype: "passport",
      fileIds: [front, selfie],
    },
  }),
);
const identityId = out.identity.fields.id;
out.withIdentity = member(await api.kycRequests.get({ id: requestId }));
out.fetchedDocument = member(await api.kycDocuments.get({ id: identityId }));
out.missingDocument = await errorOf(api.kycDocuments.get({ id: "kyc_doc_missing" }));
out.foreignFile = await errorOf(
  api.kycDocuments.create({
    data: { customerId, documentType: "address-proof", fileIds: ["file_of_nobody"] },
  }),
);

// A reviewer's work: matches, a review held by one key and refused to another, a rejection.
const overwritten = await api.kycDocuments.matches({
  id: identityId,
  data: { type: "identity-proof", firstName: "Ada", lastName: "Lovelace", dateOfBirth: "1990-12-10" },
});
out.matches = { status: overwritten.response.status };
out.afterMatches = member(await api.kycDocuments.get({ id: identityId }));
out.wrongMatches = await errorOf(
  api.kycDocuments.matches({ id: identityId, data: { type: "address-proof", city: "Paris" } }),
);
out.startedReview = member(await api.kycDocuments.startReview({ id: identityId }));
out.heldByAnother = await errorOf(reviewer.kycDocuments.accept({ id: identityId }));
out.stoppedReview = member(await api.kycDocuments.stopReview({ id: identityId }));
out.reviewed = member(await reviewer.kycDocuments.review({ id: identityId }));
out.rejected = member(
  await api.kycDocuments.reject({
    id: identityId,
    data: { type: "document-unreadable", message: "The passport photo is blurred" },
  }),
);
out.badReason = await errorOf(
  api.kycDocuments.reject({ id: identityId, data: { type: "looks-odd" } }),
);
out.afterRejection = member(await api.kycRequests.get({ id: requestId }));

// The address document, created with an id of the merchant's choosing, then changed.
out.address = member(
  await api.kycDocuments.create({
    id: input.addressDocumentId,
    data: { customerId, requestId, documentType: "address-proof", fileIds: [bill] },
  }),
);
out.createdAgain = await errorOf(
  api.kycDocuments.create({
    id: input.addressDocumentId,
    data: { customerId, requestId, documentType: "address-proof", fileIds: [bill] },
  }),
);
out.updatedDocument = member(
  await api.kycDocuments.update({
    id: input.addressDocumentId,
    data: {
      customerId,
      requestId,
      documentType: "address-proof",
      documentSubtype: "utility-bill",
      fileIds: [bill],
    },
  }),
);

// A new identity document is accepted; the address document too: the request is fulfilled.
const front2 = await upload("passport-2.png", ["kyc", "id-front"]);
const selfie2 = await upload("selfie-2.png", ["kyc", "face-proof"]);
const retake = await api.kycDocuments.create({
  data: {
    customerId,
    requestId,
    documentType: "identity-proof",
    documentSubtype: "passport",
    fileIds: [front2, selfie2],
  },
});
out.accepted = member(await reviewer.kycDocuments.accept({ id: retake.fields.id }));
out.partial = member(await api.kycRequests.get({ id: requestId }));
out.addressAccepted = member(await api.kycDocuments.accept({ id: input.addressDocumentId }));
out.fulfilled = member(await api.kycRequests.get({ id: requestId }));

// Tags on documents, one and many; the collection filtered by them.
await api.tags.tagKycDocuments({
  tag: "reviewed-by-hand",
  data: { kycDocumentIds: [identityId, retake.fields.id] },
});
await api.tags.tagKycDocument({ tag: "reviewed-by-hand", kycDocumentId: input.addressDocumentId });
await api.tags.untagKycDocuments({ tag: "reviewed-by-hand", data: { kycDocumentIds: [identityId] } });
await api.tags.tagKycDocument({ tag: "second-look", kycDocumentId: identityId });
await api.tags.untagKycDocument({ tag: "second-look", kycDocumentId: identityId });
out.tagged = collection(
  await api.kycDocuments.getAll({ filter: "tags:reviewed-by-hand", sort: ["createdTime"] }),
);
out.secondLook = collection(await api.kycDocuments.getAll({ filter: "tags:second-look" }));

// Collections: documents of the request with their customer and files, requests with theirs.
out.documents = collection(
  await api.kycDocuments.getAll({
    filter: `requestId:${requestId};status:accepted,rejected`,
    sort: ["-createdTime"],
    limit: 2,
    expand: "customer,files",
  }),
);
out.requests = collection(
  await api.kycRequests.getAll({
    filter: `customerId:${customerId}`,
    sort: ["createdTime"],
    expand: "documents",
  }),
);
out.badFilter = await errorOf(api.kycRequests.getAll({ filter: "createdTime:soon" }));
write(out);

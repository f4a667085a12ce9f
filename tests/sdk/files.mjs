// Files through Rebilly's JS SDK: upload (base64 JSON), get, list, update, uploadAndUpdate,
// download.
import { collection, connect, errorOf, member, readInput, write } from "./client.mjs";

const input = await readInput();
const api = connect(input);

const out = {};
out.uploaded = member(
  await api.files.upload({
    fileObject: {
      file: input.png,
      name: "passport.png",
      description: "Front of the passport",
      tags: ["kyc", "id-front"],
    },
  }),
);
const id = out.uploaded.fields.id;
out.fetched = member(await api.files.get({ id }));
out.updated = member(
  await api.files.update({
    id,
    data: { name: "passport-front.png", description: "Checked", tags: ["kyc", "id-front", "seen"] },
  }),
);
// rebilly-js-sdk 62.162.1 reads `.fields.id` off the upload's promise instead of its result,
// so uploadAndUpdate throws once the upload is done, before its PUT.
out.uploadAndUpdate = await errorOf(
  api.files.uploadAndUpdate({
    fileObject: { file: input.png, name: "selfie.png" },
    data: { description: "Selfie", tags: ["kyc", "face-proof"] },
  }),
);
// The PUT it means to send next: it reads the name off the promise too, so none goes out.
const newest = collection(await api.files.getAll({ sort: ["-createdTime"], limit: 1 }));
out.uploadedAndUpdated = member(
  await api.files.update({
    id: newest.items[0].id,
    data: { description: "Selfie", tags: ["kyc", "face-proof"], url: "" },
  }),
);
out.listed = collection(await api.files.getAll({ filter: "tags:kyc", sort: ["-createdTime"] }));
out.faceProofs = collection(await api.files.getAll({ filter: "tags:face-proof", limit: 5 }));
const download = await api.files.download({ id });
out.downloaded = {
  status: download.response.status,
  contentType: download.response.headers["content-type"],
  base64: Buffer.from(download.data).toString("base64"),
};
out.notFound = await errorOf(api.files.get({ id: "file_missing" }));
out.notAnImage = await errorOf(
  api.files.upload({
    fileObject: { file: Buffer.from("not an image").toString("base64"), name: "fake.png" },
  }),
);
write(out);

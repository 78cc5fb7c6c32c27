// The officer's side through the JSON API, for preparing and driving the issuance benchmarks.

async function call(url, token, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${new URL(url).pathname} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Claims the officer's next case and approves it (POST …/claim-next, then POST …/cases/:id/actions approve). */
export async function claimAndApprove(apiUrl, token) {
  const { case: claimed } = await call(`${apiUrl}/api/v1/officer/queue/claim-next`, token);
  if (!claimed) throw new Error('the queue is empty: no case to approve');
  const approvedAt = Date.now();
  await call(`${apiUrl}/api/v1/officer/cases/${claimed.id}/actions`, token, { action: 'approve', expectedVersion: claimed.version });
  return { caseId: claimed.id, approvedAt };
}

/** Claims and approves `count` cases, `concurrency` at a time (one officer each). */
export async function approveMany(apiUrl, officers, count) {
  const approved = [];
  let next = 0;
  await Promise.all(
    officers.map(async (officer) => {
      while (next < count) {
        next++;
        approved.push(await claimAndApprove(apiUrl, officer.token));
      }
    }),
  );
  return approved;
}

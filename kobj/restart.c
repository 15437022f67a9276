/* See kobj/restart.h. */
#include "kobj/restart.h"

#include <string.h>

#include "kobj/kcall.h"
#include "kobj/kcall_table.h"
#include "kobj/task.h"

static bool same_call(uint32_t nr, uint64_t tag, const uint64_t regs[6], const struct kcall* c) {
  return nr == c->nr && tag == c->tag && memcmp(regs, c->regs, sizeof(c->regs)) == 0;
}

static bool same_parked(const struct kcall* old, const struct kcall* c) {
  return old->tagged && same_call(old->nr, old->tag, old->regs, c);
}

static void interrupted_remove(struct kthread* t, uint32_t i) {
  memmove(&t->interrupted[i], &t->interrupted[i + 1],
          (t->num_interrupted - i - 1) * sizeof(t->interrupted[0]));
  t->num_interrupted--;
}

/* Keeps `c` parked among the interrupted calls. Past the bound the oldest is abandoned: a guest
 * nesting that many blocking calls in signal handlers cannot make the supervisor hold more (its
 * restart then runs it again). */
static void interrupted_push(struct kthread* t, struct kcall* c) {
  if (t->num_interrupted == KTHREAD_INTERRUPTED) kcall_abandon(t->interrupted[0]);
  t->interrupted[t->num_interrupted++] = c;
}

int64_t krestart_check(struct kcall* c, bool* hit) {
  *hit = false;
  struct kthread* t = c->thread;
  if (!t || !c->tagged) return 0;
  /* The restart of the parked call: keep waiting under the new request id (a channel_call must
   * not write twice, a wait keeps its deadline). */
  if (t->parked && same_parked(t->parked, c)) {
    t->parked->id = c->id;
    return KCALL_ADOPTED;
  }
  for (uint32_t i = t->num_interrupted; i-- > 0;) {
    struct kcall* old = t->interrupted[i];
    if (!same_parked(old, c)) continue;
    /* The handlers that interrupted it have returned: what they or later ones left parked
     * belongs to frames that no longer exist, and nobody will restart it. */
    interrupted_remove(t, i);
    while (t->num_interrupted > i) kcall_abandon(t->interrupted[t->num_interrupted - 1]);
    if (t->parked) kcall_abandon(t->parked);
    t->parked = old;
    t->blocked_state = old->blocked_state;
    old->id = c->id;
    return KCALL_ADOPTED;
  }
  for (unsigned i = 0; i < KTHREAD_ANSWERS; i++) {
    struct kanswer* a = &t->answers[i];
    if (!a->valid || !same_call(a->nr, a->tag, a->regs, c)) continue;
    /* Answers given after it went to handlers that have returned: they will not be asked for. */
    for (unsigned j = 0; j < KTHREAD_ANSWERS; j++)
      if (t->answers[j].valid && t->answers[j].seq > a->seq) t->answers[j].valid = false;
    *hit = true;
    return a->result;
  }
  /* A new call while one is parked: a signal handler interrupted that one. */
  if (t->parked) {
    struct kcall* old = t->parked;
    t->parked = NULL;
    /* The thread runs its handler: not blocked until its restart adopts the call again. */
    old->blocked_state = t->blocked_state;
    t->blocked_state = 0;
    interrupted_push(t, old);
  }
  return 0;
}

void krestart_record(struct kcall* c, bool lost) {
  struct kthread* t = c->thread;
  if (!t || !c->tagged || (kcall_table[c->nr].flags & KCALL_NORETURN)) return;
  struct kanswer* slot = NULL;
  for (unsigned i = 0; i < KTHREAD_ANSWERS && !slot; i++)
    if (t->answers[i].valid && same_call(t->answers[i].nr, t->answers[i].tag, t->answers[i].regs, c))
      slot = &t->answers[i];
  if (slot) {
    /* The same call answered again (a restart): its record stays where it was. */
    slot->result = c->result;
    slot->lost = lost;
    return;
  }
  /* A free slot, else the oldest answer that was delivered as far as anyone knows, else the
   * oldest. Delivered answers are kept too: NOTIF_SEND can succeed while the thread, woken by a
   * signal at that moment, never sees the answer. */
  for (unsigned i = 0; i < KTHREAD_ANSWERS && !slot; i++)
    if (!t->answers[i].valid) slot = &t->answers[i];
  for (int pass = 0; pass < 2 && !slot; pass++) {
    for (unsigned i = 0; i < KTHREAD_ANSWERS; i++) {
      struct kanswer* a = &t->answers[i];
      if (pass == 0 && a->lost) continue;
      if (!slot || a->seq < slot->seq) slot = a;
    }
  }
  slot->valid = true;
  slot->lost = lost;
  slot->nr = c->nr;
  slot->tag = c->tag;
  slot->seq = ++t->answer_seq;
  memcpy(slot->regs, c->regs, sizeof(slot->regs));
  slot->result = c->result;
}

void krestart_park(struct kcall* c) {
  struct kthread* t = c->thread;
  if (!t) return;
  /* A call run again (kcall_rerun) while a later call of its thread is parked was interrupted
   * by a signal handler: it stays among the interrupted calls. */
  if (!t->parked || t->parked == c) t->parked = c;
  else interrupted_push(t, c);
}

void krestart_unpark(struct kcall* c) {
  struct kthread* t = c->thread;
  if (!t) return;
  if (t->parked == c) {
    t->parked = NULL;
    t->blocked_state = 0;
    return;
  }
  for (uint32_t i = 0; i < t->num_interrupted; i++)
    if (t->interrupted[i] == c) {
      interrupted_remove(t, i);
      return;
    }
}

void krestart_abandon_all(struct kthread* t) {
  while (t->parked) kcall_abandon(t->parked);
  while (t->num_interrupted) kcall_abandon(t->interrupted[t->num_interrupted - 1]);
}

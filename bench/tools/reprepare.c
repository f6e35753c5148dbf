/*
 * Shows that the resident search statements are re-prepared (re-parsed and
 * re-planned) on every execution while `r.status = ?N` is a bound parameter:
 * the partial index resident_id_active (WHERE status = 'active') makes the
 * plan depend on that value, so SQLite expires the statement at each new
 * binding. With the literal 'active' the count is 0.
 *
 *   cc -O2 -o bench/.data/reprepare bench/tools/reprepare.c -lsqlite3
 *   bench/.data/reprepare bench/.data/api-100000.db
 */
#include <sqlite3.h>
#include <stdio.h>
int main(int argc,char**argv){
  sqlite3*db; sqlite3_open_v2(argv[1],&db,SQLITE_OPEN_READONLY,0);
  const char *qs[]={
   "SELECT count(*) FROM resident r WHERE r.community = ?1 AND r.status = ?2 AND r.name_initials >= ?3 AND r.name_initials < ?4",
   "SELECT count(*) FROM resident r WHERE r.community = ?1 AND r.status = ?2 AND r.phone_last4 = ?3",
   "SELECT count(*) FROM resident r WHERE r.community = ?1 AND r.status = 'active' AND r.phone_last4 = ?3"};
  if(argc<2){fprintf(stderr,"usage: reprepare DB\n");return 2;}
  for(int k=0;k<3;k++){ sqlite3_stmt*s; sqlite3_prepare_v3(db,qs[k],-1,SQLITE_PREPARE_PERSISTENT,&s,0);
  for(int i=0;i<10;i++){ sqlite3_bind_text(s,1,"310105004017",-1,0); sqlite3_bind_text(s,2,"active",-1,0);
    if(k==0){sqlite3_bind_text(s,3,"zs",-1,0); sqlite3_bind_text(s,4,"zt",-1,0);} else sqlite3_bind_text(s,3,"4255",-1,0);
    sqlite3_step(s); sqlite3_reset(s);}
  printf("%s\n  reprepares in 10 runs: %d\n", qs[k], sqlite3_stmt_status(s,SQLITE_STMTSTATUS_REPREPARE,0)); }
  printf("ENABLE_STAT4 compiled: %d\n", sqlite3_compileoption_used("ENABLE_STAT4"));
  return 0;
}

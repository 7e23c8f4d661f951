/* cmd.h - the relabel commands.  Each takes the arguments after its name
 * (argv[0] is the command name) and returns the exit status: 0 done,
 * 1 bad input or a failed operation, 2 bad usage.  Commands are the only
 * code, with the review screen, that prints. */
#ifndef RELABEL_CMD_H
#define RELABEL_CMD_H

int cmd_import(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_rank(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_demo(int argc, char **argv);

#endif

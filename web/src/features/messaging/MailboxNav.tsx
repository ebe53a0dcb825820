import { SideMenu } from '@codegouvfr/react-dsfr/SideMenu';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';

/** The folders: inbox (with its unread count), sent, drafts, trash, the person's own folders. */
export function MailboxNav({ establishmentId, current }: { establishmentId: string; current: string }) {
  const { t } = useTranslation();
  const folders = useQuery({
    queryKey: ['messaging', 'folders', establishmentId],
    queryFn: () => call('GET /api/messaging/folders', { query: { establishment: establishmentId } }),
  });
  const c = folders.data?.counts;
  const item = (key: string, label: string, to: string) => ({
    text: label,
    linkProps: { to, 'data-folder': key } as { to: string },
    isActive: current === key,
  });
  const items = [
    item('inbox', `${t('messaging.folders.inbox')}${c?.inboxUnread ? ` (${c.inboxUnread})` : ''}`, '/messaging'),
    item('sent', t('messaging.folders.sent'), '/messaging/folder/sent'),
    item('drafts', `${t('messaging.folders.drafts')}${c?.drafts ? ` (${c.drafts})` : ''}`, '/messaging/folder/drafts'),
    item('trash', t('messaging.folders.trash'), '/messaging/folder/trash'),
    ...(folders.data?.folders.length
      ? [
          {
            text: t('messaging.folders.mine'),
            expandedByDefault: true,
            items: folders.data.folders.map((f) =>
              item(f.id, `${f.name}${f.unread ? ` (${f.unread})` : ''}`, `/messaging/folder/${f.id}`),
            ),
          },
        ]
      : []),
  ];
  return (
    <SideMenu
      align="left"
      burgerMenuButtonText={t('messaging.folders.nav')}
      title={t('messaging.title')}
      items={items}
    />
  );
}
